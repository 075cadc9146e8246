/* mime_walk: the body and the attachments of a message, from gmime's tree.
 * - Body: in a multipart/alternative, the first alternative whose text is not empty,
 *   plain text before HTML; elsewhere (mixed, related, signed, report...) every inline
 *   text/plain or text/html part, in order, joined by PARSER_PART_SEPARATOR.
 * - Attachments: every other part, in order: named or attachment-disposed parts, other
 *   types, and unnamed text that is not body text (text/calendar,
 *   text/rfc822-headers): never dropped. The plain and HTML renditions of an
 *   alternative that was not chosen are the same text and are not listed.
 * - Limits: parts past max_parts and subtrees deeper than max_depth are not examined;
 *   what they would have given is counted (attachments_not_listed,
 *   body_nested_too_deep), never silently lost. The body text is read up to
 *   PARSER_BODY_MAX_KB (body_cut past it). */
#include <string.h>

#include "parser_private.h"

struct walk {
    struct parse_ctx *ctx;
    GPtrArray *boundaries; /* of the enclosing multiparts, innermost last; borrowed */
    int parts;             /* parts examined for files */
    int body_parts;        /* parts examined for the body */
    bool noted_parts, noted_depth; /* each limit's defect, once */
};

/* A subtree's body text: from HTML, cut by the depth limit, past the size limit. */
struct body {
    GString *text;
    bool from_html;
    bool cut;
    bool over;
};

#define BODY_MAX_BYTES ((gsize)PARSER_BODY_MAX_KB * 1024)

enum leaf_role { LEAF_PLAIN, LEAF_HTML, LEAF_FILE };

static bool is_named(GMimeObject *o)
{
    return g_mime_object_get_content_disposition_parameter(o, "filename") ||
           g_mime_object_get_content_type_parameter(o, "name");
}

static bool is_attachment_disposed(GMimeObject *o)
{
    const char *disp = g_mime_object_get_disposition(o);
    return disp && g_ascii_strcasecmp(disp, "attachment") == 0;
}

static enum leaf_role leaf_role(GMimeObject *o)
{
    if (!GMIME_IS_PART(o) || is_named(o) || is_attachment_disposed(o))
        return LEAF_FILE;
    GMimeContentType *ct = g_mime_object_get_content_type(o);
    if (g_mime_content_type_is_type(ct, "text", "plain"))
        return LEAF_PLAIN;
    return g_mime_content_type_is_type(ct, "text", "html") ? LEAF_HTML : LEAF_FILE;
}

/* Other renditions of an alternative's text (text/enriched, AMP...): not files. */
static bool is_text_rendition(GMimeObject *o)
{
    static const char *const subtypes[] = { "enriched", "richtext", "x-amp-html", "watch-html", NULL };
    if (!GMIME_IS_PART(o) || is_named(o) || is_attachment_disposed(o))
        return false;
    for (int i = 0; subtypes[i]; i++)
        if (g_mime_content_type_is_type(g_mime_object_get_content_type(o), "text", subtypes[i]))
            return true;
    return false;
}

/* Does a subtree hold body text (for a subtree past the depth limit)? */
static bool holds_body_text(GMimeObject *o)
{
    if (!GMIME_IS_MULTIPART(o))
        return leaf_role(o) != LEAF_FILE;
    GMimeMultipart *mp = GMIME_MULTIPART(o);
    for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
        if (holds_body_text(g_mime_multipart_get_part(mp, i)))
            return true;
    return false;
}

static bool is_alternative(GMimeObject *o)
{
    return GMIME_IS_MULTIPART(o) &&
           g_mime_content_type_is_type(g_mime_object_get_content_type(o), "multipart", "alternative");
}

/* A text leaf's text, decoded (HTML reduced to text) and cleaned; *over if more of it
 * was there than was read. g_free(). */
static char *leaf_text(struct parse_ctx *ctx, GMimePart *part, bool html, bool *over)
{
    GByteArray *bytes = g_byte_array_new();
    gsize cap = html ? 4 * BODY_MAX_BYTES : BODY_MAX_BYTES;
    GMimeStream *sink = capped_stream_new(bytes, cap);
    part_content_write(part, sink);
    *over = capped_stream_written(sink) > cap;
    g_object_unref(sink);
    const char *charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    char *meta = html && !charset ? html_meta_charset((const char *)bytes->data, bytes->len) : NULL;
    char *text = text_decode(&ctx->td, (const char *)bytes->data, bytes->len, charset ? charset : meta, "the body");
    g_byte_array_unref(bytes);
    g_free(meta);
    if (html) {
        char *plain = html_to_text(text, strlen(text), BODY_MAX_BYTES, over);
        g_free(text);
        text = plain;
    }
    return body_text_clean(text);
}

/* Append piece to b, up to BODY_MAX_BYTES (cut at a character's start). */
static void body_append(struct body *b, const struct body *piece)
{
    b->over = b->over || piece->over || (piece->text->len && b->text->len >= BODY_MAX_BYTES);
    if (!piece->text->len || b->text->len >= BODY_MAX_BYTES)
        return;
    if (b->text->len)
        g_string_append(b->text, PARSER_PART_SEPARATOR);
    gsize room = BODY_MAX_BYTES > b->text->len ? BODY_MAX_BYTES - b->text->len : 0, n = piece->text->len;
    if (n > room) {
        const char *end = g_utf8_find_prev_char(piece->text->str, piece->text->str + room + 1);
        n = end ? (gsize)(end - piece->text->str) : 0;
        b->over = true;
    }
    g_string_append_len(b->text, piece->text->str, (gssize)n);
    b->from_html = b->from_html || piece->from_html;
}

static void body_of(struct walk *w, GMimeObject *o, int depth, struct body *out);

/* An alternative's text: the first child with text, plain before HTML. */
static void body_of_alternative(struct walk *w, GMimeMultipart *mp, int depth, struct body *out)
{
    struct body chosen = { .text = g_string_new(NULL) };
    bool any_cut = false;
    for (int i = 0; i < g_mime_multipart_get_count(mp) && !(chosen.text->len && !chosen.from_html); i++) {
        struct body child = { .text = g_string_new(NULL) };
        body_of(w, g_mime_multipart_get_part(mp, i), depth + 1, &child);
        any_cut = any_cut || child.cut;
        if (child.text->len && (!chosen.text->len || !child.from_html)) {
            g_string_free(chosen.text, TRUE);
            chosen = child;
        } else {
            g_string_free(child.text, TRUE);
        }
    }
    chosen.cut = chosen.text->len ? chosen.cut : any_cut;
    body_append(out, &chosen);
    out->cut = out->cut || chosen.cut;
    g_string_free(chosen.text, TRUE);
}

/* The text a subtree shows (every node once: linear in the parts). */
static void body_of(struct walk *w, GMimeObject *o, int depth, struct body *out)
{
    if (++w->body_parts > w->ctx->opts->max_parts)
        return; /* noted by list_files() */
    if (depth > w->ctx->opts->max_depth) {
        out->cut = out->cut || holds_body_text(o);
        return;
    }
    if (is_alternative(o)) {
        body_of_alternative(w, GMIME_MULTIPART(o), depth, out);
    } else if (GMIME_IS_MULTIPART(o)) {
        GMimeMultipart *mp = GMIME_MULTIPART(o);
        for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
            body_of(w, g_mime_multipart_get_part(mp, i), depth + 1, out);
    } else if (leaf_role(o) != LEAF_FILE) {
        bool html = leaf_role(o) == LEAF_HTML;
        struct body piece = { .text = g_string_new(NULL) };
        char *text = leaf_text(w->ctx, GMIME_PART(o), html, &piece.over);
        g_string_assign(piece.text, text);
        piece.from_html = html;
        body_append(out, &piece);
        g_string_free(piece.text, TRUE);
        g_free(text);
    }
}

/* A forwarded message: one attachment, its original bytes, named by the part's own
 * file name, else after its subject. */
static void list_message_part(struct walk *w, GMimeMessagePart *mp)
{
    GMimeMessage *inner = g_mime_message_part_get_message(mp);
    char *name = attachment_part_name(GMIME_OBJECT(mp), w->ctx);
    bool from_subject = !name;
    if (!name && inner) {
        const char *subject = raw_header(GMIME_OBJECT(inner), "Subject");
        name = subject ? rfc2047_decode(subject, &w->ctx->td, "a forwarded message's Subject") : NULL;
    }
    size_t start = 0, end = 0;
    if (message_part_span(mp, w->ctx->raw, w->ctx->len, w->boundaries, &start, &end)) {
        attachment_add(w->ctx, name, from_subject, "message/rfc822", "attachment", NULL,
                       (const guint8 *)w->ctx->raw + start, end - start);
        return;
    }
    parse_add_defect(w->ctx->msg, "a forwarded message not found in the raw bytes: listed as gmime writes it");
    GByteArray *bytes = g_byte_array_new();
    if (inner) {
        GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(bytes);
        g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
        g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
        g_object_unref(mem);
    }
    attachment_add(w->ctx, name, from_subject, "message/rfc822", "attachment", NULL, bytes->data, bytes->len);
    g_byte_array_unref(bytes);
}

static void list_leaf(struct walk *w, GMimePart *part)
{
    if (leaf_role(GMIME_OBJECT(part)) != LEAF_FILE)
        return; /* body text, shown (or an alternative's other rendition) */
    char *type = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(GMIME_OBJECT(part)));
    attachment_add(w->ctx, attachment_part_name(GMIME_OBJECT(part), w->ctx), false, type,
                   is_attachment_disposed(GMIME_OBJECT(part)) ? "attachment" : "inline", part, NULL, 0);
    g_free(type);
}

/* The files of a subtree past a limit, counted; recursion is bounded by the nesting
 * pre-scan (message.c). */
static void count_unexamined(struct walk *w, GMimeObject *o)
{
    if (GMIME_IS_MULTIPART(o)) {
        GMimeMultipart *mp = GMIME_MULTIPART(o);
        for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
            count_unexamined(w, g_mime_multipart_get_part(mp, i));
    } else if (leaf_role(o) == LEAF_FILE) {
        w->ctx->msg->attachments_not_listed++;
    }
}

/* Is o past a limit? Then its files are counted and the limit noted once. */
static bool past_limit(struct walk *w, GMimeObject *o, int depth)
{
    const struct parser_options *opts = w->ctx->opts;
    bool parts = ++w->parts > opts->max_parts, deep = depth > opts->max_depth;
    if (!parts && !deep)
        return false;
    if (parts && !w->noted_parts)
        parse_add_defect(w->ctx->msg, "more than %d MIME parts: the rest not examined", opts->max_parts);
    if (deep && !parts && !w->noted_depth)
        parse_add_defect(w->ctx->msg, "MIME nesting deeper than %d: not examined", opts->max_depth);
    w->noted_parts = w->noted_parts || parts;
    w->noted_depth = w->noted_depth || (deep && !parts);
    count_unexamined(w, o);
    return true;
}

/* List the attachments of a subtree, in order. */
static void list_files(struct walk *w, GMimeObject *o, int depth)
{
    if (!o || past_limit(w, o, depth))
        return;
    if (GMIME_IS_MULTIPART(o)) {
        GMimeMultipart *mp = GMIME_MULTIPART(o);
        bool alternative = is_alternative(o);
        const char *boundary = g_mime_multipart_get_boundary(mp);
        if (boundary)
            g_ptr_array_add(w->boundaries, (gpointer)boundary);
        for (int i = 0; i < g_mime_multipart_get_count(mp); i++) {
            GMimeObject *child = g_mime_multipart_get_part(mp, i);
            if (!(alternative && is_text_rendition(child)))
                list_files(w, child, depth + 1);
        }
        if (boundary)
            g_ptr_array_remove_index(w->boundaries, w->boundaries->len - 1);
    } else if (GMIME_IS_MESSAGE_PART(o)) {
        list_message_part(w, GMIME_MESSAGE_PART(o));
    } else if (GMIME_IS_PART(o)) {
        list_leaf(w, GMIME_PART(o));
    }
}

void mime_walk(GMimeMessage *m, struct parse_ctx *ctx)
{
    GMimeObject *top = g_mime_message_get_mime_part(m);
    if (!top)
        return;
    struct walk w = { .ctx = ctx, .boundaries = g_ptr_array_new() };
    struct body body = { .text = g_string_new(NULL) };
    body_of(&w, top, 0, &body);
    g_free(ctx->msg->body_text);
    ctx->msg->body_text = g_string_free(body.text, FALSE);
    ctx->msg->body_nested_too_deep = ctx->msg->body_nested_too_deep || body.cut;
    if (body.over) {
        ctx->msg->body_cut = true;
        parse_add_defect(ctx->msg, "the body text is longer than %d KB: only the first %d KB were read",
                         PARSER_BODY_MAX_KB, PARSER_BODY_MAX_KB);
    }
    list_files(&w, top, 0);
    g_ptr_array_unref(w.boundaries);
}
