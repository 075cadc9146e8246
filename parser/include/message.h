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
    char *body_text;            /* chosen body as UTF-8 text; "" if none */
    GPtrArray *attachments;     /* struct attachment_info * */
    GBytes *kept_attachment;    /* parser_options.keep_attachment's bytes, or NULL */
    uint64_t size;              /* raw bytes */
    GPtrArray *defects;         /* char *: what was wrong, as data */
    enum msg_class classification;
    char *classification_reason; /* e.g. "Auto-Submitted: auto-replied" */
    char *case_ref;             /* "INC0001234" found in the subject, NULL if none */
};

struct parser_options {
    const char *fallback_charset; /* undeclared 8-bit text that is not UTF-8; default windows-1252 */
    const char *loop_header;      /* our loop header name; a message carrying it is MSG_CLASS_LOOP */
    const char *ref_prefix;       /* "INC" */
    int ref_digits;               /* 7 */
    int max_depth;                /* MIME nesting followed at most; default 50 */
    int max_parts;                /* parts examined at most; default 1000 */
    int keep_attachment;          /* 1-based: keep that attachment's decoded bytes in kept_attachment */
};

/* Initialise gmime once per process, before any thread starts. */
void parser_init(void);
void parser_shutdown(void);

/* Parse raw. Returns NULL only when the bytes are not a message at all (no header),
 * with *reason_out set to a static explanation. Caller frees the result with
 * parsed_message_free(). */
struct parsed_message *parser_parse(const char *raw, size_t len, const struct parser_options *opts,
                                    const char **reason_out);
void parsed_message_free(struct parsed_message **msg);

/* The first reference "<prefix><digits>" in subject (e.g. "[INC0001234]" or
 * "Re: FW: INC0001234"), as a new string, or NULL. */
char *parser_find_case_ref(const char *subject, const char *prefix, int digits);

#endif
