/* parser_private: what the parser's files share. */
#ifndef CASELOG_PARSER_PRIVATE_H
#define CASELOG_PARSER_PRIVATE_H

#include <gmime/gmime.h>

#include "message.h"

/* ---------- charset.c, charset_guess.c ---------- */

/* How 8-bit text without a usable charset is read: the charset the message declares
 * elsewhere, then the candidates in order, the first that reads plausibly. */
struct text_decoder {
    const char *const *candidates; /* NULL-terminated; NULL: charset_default_fallbacks */
    const char *declared;          /* a charset the message declares elsewhere, or NULL */
    GPtrArray *defects;            /* each guess is noted here (char *); may be NULL */
};

extern const char *const charset_default_fallbacks[]; /* windows-1252, gb18030, shift_jis, windows-1250 */

/* Bytes in charset (NULL: undeclared) to valid UTF-8, NULs made spaces: the declared
 * charset if the bytes convert, else UTF-8 if valid, else a guess noted as a defect
 * naming where ("the Subject", "the body"). g_free(). */
char *text_decode(const struct text_decoder *td, const char *bytes, gssize len, const char *charset,
                  const char *where);

/* Is label a plausible charset name (letters, digits, "-_.:+", under 40 bytes)? Others
 * are ignored as no declaration at all. */
bool charset_label_ok(const char *label);

/* text_decode() with the default candidates and no defects noted. */
char *charset_to_utf8(const char *bytes, gssize len, const char *charset);

/* Does utf8, read from bytes with iconv decoder (an iconv name), look like real text
 * in one writing system? The rule is at the top of charset_guess.c. */
bool charset_plausible(const char *bytes, gsize len, const char *decoder, const char *utf8);

/* ---------- rfc2047.c ---------- */

/* A header value with RFC 2047 encoded words decoded (adjacent words of one charset
 * joined as bytes first, so split multi-byte characters survive; spaces inside a word
 * tolerated), as valid UTF-8, undeclared 8-bit text read by td. Unfolds line breaks.
 * g_free(). */
char *rfc2047_decode(const char *raw, const struct text_decoder *td, const char *where);

/* ---------- html_text.c ---------- */

/* libxml2's one-time set-up and clean-up (parser_init, parser_shutdown). */
void html_init(void);
void html_shutdown(void);

/* HTML (UTF-8, len bytes) to readable text: see html_text.c. Past max_out bytes of
 * text it stops, cuts the text there and sets *over (else leaves it). g_free(). */
char *html_to_text(const char *html, gsize len, gsize max_out, bool *over);

/* The charset a <meta> tag declares in the first 4 KB, or NULL. g_free(). */
char *html_meta_charset(const char *html, gsize len);

/* ---------- body_text.c ---------- */

/* text made fit to store as body text, in place: CRLF, CRCRLF and a lone CR to LF, form feed and
 * vertical tab to LF, every other C0 control, DEL and C1 control removed; leading
 * blank lines and trailing white space trimmed. Returns text. */
char *body_text_clean(char *text);

/* ---------- part_content.c ---------- */

/* Write part's decoded content to sink: base64 decoded here, leniently (missing
 * padding decoded, a padded end followed by more base64 lines read on); other
 * encodings by gmime. */
void part_content_write(GMimePart *part, GMimeStream *sink);

/* Decode base64 text leniently into out (appended). */
void base64_decode_lenient(const char *text, gsize len, GByteArray *out);

/* Where message part mp's content stands in raw[0..len) (the bytes gmime parsed):
 * from the end of the part's own header block to the line break before the next
 * delimiter of an enclosing multipart (boundaries, innermost last), or the end of raw.
 * False if it cannot be found with certainty. */
bool message_part_span(GMimeMessagePart *mp, const char *raw, size_t len, const GPtrArray *boundaries,
                       size_t *start_out, size_t *end_out);

/* ---------- streams.c ---------- */

/* A read-only stream over len bytes at data, read in place; the bytes must outlive it
 * and whatever gmime builds on it. */
GMimeStream *view_stream_new(const char *data, size_t len);

/* If stream is a view stream (or a substream of one), its bytes, in place. */
bool view_stream_bytes(GMimeStream *stream, const char **data_out, size_t *len_out);

/* A stream that keeps the first cap bytes written to it in out (borrowed) and counts
 * all of them (capped_stream_written). */
GMimeStream *capped_stream_new(GByteArray *out, size_t cap);
size_t capped_stream_written(GMimeStream *stream);

/* A stream that counts and hashes (SHA-256) what is written to it, keeping nothing.
 * Finish gives the count and the hex digest, and unrefs the stream. */
GMimeStream *hash_stream_new(void);
size_t hash_stream_finish(GMimeStream *stream, char hex[65]);

/* ---------- header_guard.c ---------- */

#define HEADER_RUN_KB 256  /* a run of header lines gmime is given whole: at most this */
#define HEADER_FIELD_KB 64 /* and no field in it longer than this */

/* A stream of text[0..len) for gmime to parse, with every run of header-like lines over
 * the limits shortened (the shortened runs' bytes go to pieces, char *, which must
 * outlive what gmime builds); *shortened_out counts them. */
GMimeStream *header_guard_stream(const char *text, size_t len, const char *loop_header, GPtrArray *pieces,
                                 unsigned *shortened_out);
/* How much of text to parse: all of it, or up to the line that passes max_parts * 4
 * lines starting "--"; *not_read_out counts such lines after the cut (the parts not
 * read, about). */
size_t parts_guard(const char *text, size_t len, int max_parts, size_t *not_read_out);

/* ---------- the parse of one message (message.c, headers.c, mime_walk.c) ---------- */

struct parse_ctx {
    const struct parser_options *opts; /* with defaults filled in */
    struct text_decoder td;
    struct parsed_message *msg;
    const char *raw; /* the bytes gmime parsed: header offsets index them */
    size_t len;
    char declared[40]; /* td.declared's storage */
};

void parse_add_defect(struct parsed_message *msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The first charset a text part or an encoded word of m declares, other than ASCII or
 * UTF-8, into out; false if none (headers.c). */
bool message_declared_charset(GMimeMessage *m, int max_parts, char out[40]);

/* Frees a struct mail_address (headers.c). */
void mail_address_free(gpointer address);

/* Subject, addresses, ids and date into ctx->msg (headers.c). */
void headers_read(GMimeMessage *m, struct parse_ctx *ctx);

/* A raw header's value (unfolded later by the caller), or NULL; borrowed. */
const char *raw_header(GMimeObject *o, const char *name);

/* A part's file name (Content-Disposition filename, else Content-Type name), decoded;
 * NULL if it has none (attachments.c). g_free(). */
char *attachment_part_name(GMimeObject *o, struct parse_ctx *ctx);

/* List an attachment named name (taken, made safe; whole_name: a forwarded message's
 * subject, kept whole), its content from part, or data/len if part is NULL. */
void attachment_add(struct parse_ctx *ctx, char *name, bool whole_name, const char *type, const char *disposition,
                    GMimePart *part, const guint8 *data, gsize len);

/* A file name made safe: controls removed, only the last path part (unless
 * whole_name), trimmed, at most 255 bytes, and a leading dot prefixed "attachment-";
 * NULL if nothing is left. Takes name (g_free'd). */
char *attachment_safe_name(char *name, bool whole_name);

/* The body and the attachments of m into ctx->msg (mime_walk.c). */
void mime_walk(GMimeMessage *m, struct parse_ctx *ctx);

/* Set msg->classification and its reason from the headers and structure. */
void classify_message(GMimeMessage *m, const struct parser_options *opts, struct parsed_message *msg);

#endif
