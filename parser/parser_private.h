/* parser_private: what the parser's files share. */
#ifndef CASELOG_PARSER_PRIVATE_H
#define CASELOG_PARSER_PRIVATE_H

#include <gmime/gmime.h>

#include "message.h"

/* Bytes in charset (NULL: undeclared) to valid UTF-8: the declared charset, else UTF-8
 * if valid, else fallback; invalid sequences replaced as a last resort. g_free(). */
char *charset_to_utf8(const char *bytes, gssize len, const char *charset, const char *fallback);

/* A header value with RFC 2047 encoded words decoded (adjacent words of one charset
 * joined as bytes first, so split multi-byte characters survive), as valid UTF-8.
 * Unfolds line breaks. g_free(). */
char *rfc2047_decode(const char *raw, const char *fallback);

/* HTML to readable text: paragraphs and line breaks, list items as "- ", links as
 * "text <url>", script and style dropped, entities decoded. g_free(). */
char *html_to_text(const char *html);

/* A read-only stream over len bytes at data, read in place (streams.c); the bytes
 * must outlive it and whatever gmime builds on it. */
GMimeStream *view_stream_new(const char *data, size_t len);

/* A stream that counts and hashes (SHA-256) what is written to it, keeping nothing
 * (streams.c). Finish gives the count and the hex digest, and unrefs the stream. */
GMimeStream *hash_stream_new(void);
size_t hash_stream_finish(GMimeStream *stream, char hex[65]);

/* Set msg->classification and its reason from the headers and structure. */
void classify_message(GMimeMessage *m, const struct parser_options *opts, struct parsed_message *msg);

#endif
