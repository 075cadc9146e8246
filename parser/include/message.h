/* message: raw bytes to a structured, classified message. No I/O, no database,
 * no clock. Every string in a parsed message is valid UTF-8 and owned by it;
 * free the whole message with parsed_message_free(). */
#ifndef CASELOG_MESSAGE_H
#define CASELOG_MESSAGE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain_types.h" /* enum msg_class */

struct mail_address {
    char *name;    /* decoded display name, NULL if none */
    char *address; /* "user@example.org", NULL only for an unusable entry */
};

struct attachment_info {
    char *filename;     /* decoded basename; a forwarded message is named after its subject */
    char *content_type; /* "application/pdf", lower case */
    char *disposition;  /* "attachment" or "inline" */
    uint64_t size;      /* decoded bytes */
    char sha256[65];    /* hex of the decoded bytes */
};

struct parsed_message {
    struct mail_address *from;  /* NULL if no usable From */
    GPtrArray *reply_to;        /* struct mail_address * */
    GPtrArray *to;
    GPtrArray *cc;
    char *subject;              /* decoded; "" if none */
    char *message_id;           /* without <>; NULL if missing, empty or malformed */
    char *in_reply_to;          /* without <>; NULL if none */
    GPtrArray *references;      /* char *, without <> */
    char *date_header;          /* as written, NULL if none */
    int64_t date;               /* Unix seconds from the Date header, 0 if none/unparseable */
    char *body_text;            /* the body as UTF-8 text, "" if none: the first non-empty
                                 * text of an alternative (plain before HTML), every inline
                                 * text part of a mixed message joined by PARSER_PART_SEPARATOR;
                                 * no control characters but tab and newline, no CR */
    GPtrArray *attachments;     /* struct attachment_info *: every part not shown in the body
                                 * (an unnamed text/calendar too), in message order */
    unsigned attachments_not_listed; /* parts not examined (past max_parts or max_depth, or all
                                      * of them when only the headers were read) that would
                                      * have been listed as attachments; 0 normally */
    bool body_nested_too_deep;  /* a text part of the body lay deeper than max_depth (or the
                                 * nesting was too deep to read the body at all): body_text
                                 * lacks it */
    bool body_cut;              /* the body's text went past PARSER_BODY_MAX_KB: body_text holds
                                 * the first of it (the raw message is whole) */
    GBytes *kept_attachment;    /* parser_options.keep_attachment's bytes, or NULL */
    uint64_t size;              /* raw bytes */
    GPtrArray *defects;         /* char *: what was wrong, as data */
    enum msg_class classification;
    char *classification_reason; /* e.g. "Auto-Submitted: auto-replied" */
    char *case_ref;             /* "INC0001234" found in the subject, NULL if none */
};

/* The body text read at most (a ticket's text, not a book: a 10 MB text part would be
 * held three times over, and sent to the database whole). Of an HTML part at most four
 * times this much is read. */
#define PARSER_BODY_MAX_KB 1024

/* Between the texts of a mixed message's inline text parts, in body_text. */
#define PARSER_PART_SEPARATOR "\n\n----------\n\n"

struct parser_options {
    /* Undeclared 8-bit text that is not UTF-8 is read in the charset the message declares
     * elsewhere, or in the first of these that reads plausibly (NULL-terminated; default
     * windows-1252, gb18030, shift_jis, windows-1250). */
    const char *const *fallback_charsets;
    const char *fallback_charset; /* the same as a list of one, if fallback_charsets is NULL (old key) */
    const char *loop_header;      /* our loop header name; a message carrying it is MSG_CLASS_LOOP */
    const char *ref_prefix;       /* "INC" */
    int ref_digits;               /* 7 */
    int max_depth;                /* MIME nesting followed at most; default 50 */
    int max_parts;                /* parts examined at most; default 1000 */
    int keep_attachment;          /* 1-based: keep that attachment's decoded bytes in kept_attachment */
};

/* Initialise gmime and libxml2 once per process, before any thread starts. */
void parser_init(void);
void parser_shutdown(void);

/* Parse raw. Returns NULL only when the bytes are not a message at all (no header),
 * with *reason_out set to a static explanation. Caller frees the result with
 * parsed_message_free(). */
struct parsed_message *parser_parse(const char *raw, size_t len, const struct parser_options *opts,
                                    const char **reason_out);
void parsed_message_free(struct parsed_message **msg);

/* An attachment as recorded when its message was logged (borrowed strings). */
struct attachment_record {
    const char *name;         /* NULL: unnamed */
    const char *content_type;
    uint64_t size;
    const char *sha256;       /* hex */
};

/* attachment_find.c: which of m's attachments (1-based; 0 if none) is records[want],
 * where records are everything recorded of m's message: the part with its SHA-256 and
 * size wherever it now lies (*exact_out true); else, for a part this parser reads
 * otherwise than the one that logged it (a forwarded message then re-written, base64
 * cut short), the only part with its name and type that no other record claims. */
int parser_attachment_find(const struct parsed_message *m, const struct attachment_record *records, size_t n,
                           size_t want, bool *exact_out);
/* stored_attachment.c: attachment part_ordinal (1-based, as stored) of the raw message parsed
 * with opts (as when it was logged), decoded, if its SHA-256 is still rec's; if not,
 * the part with rec's SHA-256 and size wherever this parser lists it (a newer parser lists
 * parts an older one did not); else NULL with *why_out (static). Caller frees with
 * g_bytes_unref(). */
GBytes *parser_attachment(const char *raw, size_t len, const struct parser_options *opts, int part_ordinal,
                          const struct attachment_record *rec, const char **why_out);
/* A file name to save an attachment under: no path separators or control characters
 * (a forwarded message is named after its subject, which may hold a slash), ".eml" for
 * a message. Caller g_free()s. */
char *parser_attachment_file_name(const char *name, const char *content_type);

/* The first reference "<prefix><digits>" in subject (e.g. "[INC0001234]" or
 * "Re: FW: INC0001234"), as a new string, or NULL. */
char *parser_find_case_ref(const char *subject, const char *prefix, int digits);

#endif
