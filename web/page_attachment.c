/* page_attachment: /case/REF/attachment/N : attachment N of a case (numbered as on the
 * case page and by `caselog attachment`), decoded again from the stored mail and
 * checked against the checksum taken when it was logged. Always a download under a
 * safe name; only known raster image types may be shown inline, and never with the
 * right to run anything (a sandboxing CSP of their own). */
#include <stdlib.h>
#include <string.h>

#include "intake.h"
#include "message.h"
#include "pages.h"
#include "store_desk.h"

/* The type to show it inline as (static), if it is a known raster image; else NULL. */
static const char *attachment_image_type(const char *content_type)
{
    static const char *const images[] = { "image/png", "image/jpeg", "image/gif", "image/webp" };
    for (size_t i = 0; content_type && i < G_N_ELEMENTS(images); i++)
        if (g_ascii_strcasecmp(content_type, images[i]) == 0)
            return images[i];
    return NULL;
}

/* filename="ascii" for old browsers and filename*=UTF-8''... for the real name. */
static char *attachment_disposition(const char *name, bool inline_ok)
{
    char *ascii = g_strdup(name);
    for (char *p = ascii; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e || strchr("\"\\;%", *p))
            *p = '_';
    char *encoded = g_uri_escape_string(name, NULL, FALSE);
    char *value = g_strdup_printf("%s; filename=\"%s\"; filename*=UTF-8''%s", inline_ok ? "inline" : "attachment",
                                  ascii, encoded);
    g_free(ascii);
    g_free(encoded);
    return value;
}

static void attachment_send(struct web_request *r, const struct desk_attachment *a)
{
    GError *error = NULL;
    GBytes *raw = store_message_raw(r->st, a->message_row, &error);
    if (!raw) {
        web_error(r, 404, "The stored mail could not be read.");
        g_error_free(error);
        return;
    }
    gsize len = 0;
    const char *data = g_bytes_get_data(raw, &len);
    const char *why = NULL;
    struct parser_options opts = intake_parser_options(r->app->cfg);
    struct attachment_record rec = { a->name, a->content_type, (uint64_t)a->size, a->sha256 };
    GBytes *bytes = parser_attachment(data, len, &opts, a->part_ordinal, &rec, &why);
    g_bytes_unref(raw);
    if (!bytes) {
        web_error(r, 410, why);
        return;
    }
    const char *image = g_strcmp0(web_query(r, "view"), "1") == 0 ? attachment_image_type(a->content_type) : NULL;
    char *name = parser_attachment_file_name(a->name, a->content_type);
    char *disposition = attachment_disposition(name, image != NULL);
    r->bytes = bytes;
    r->content_type = image ? image : "application/octet-stream";
    web_add_header(r, "Content-Disposition", disposition);
    r->csp = "sandbox; default-src 'none'"; /* nothing in it may run, even opened on its own */
    g_free(disposition);
    g_free(name);
}

void page_attachment(struct web_request *r, const char *reference, const char *number)
{
    char *end = NULL;
    long n = strtol(number, &end, 10);
    GPtrArray *thread = NULL, *attachments = NULL;
    GError *error = NULL;
    struct desk_case *c = n >= 1 && !*end ? store_desk_show(r->st, reference, &thread, &attachments, &error) : NULL;
    if (!c)
        web_error(r, 404, "There is no such attachment (or it is not yours to see).");
    else if (n > (long)attachments->len)
        web_error(r, 404, "There is no such attachment.");
    else
        attachment_send(r, g_ptr_array_index(attachments, n - 1));
    g_clear_error(&error);
    if (c) {
        desk_case_free(c);
        g_ptr_array_unref(thread);
        g_ptr_array_unref(attachments);
    }
}
