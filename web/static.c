/* static: the CSS and JavaScript built into the program (templates/web/static/). They
 * hold nothing private, so browsers may keep them a day; pages name them with the
 * version, so an upgrade is fetched at once. */
#include <string.h>

#include "assets.h"
#include "pages.h"

const struct web_asset *web_asset_find(const char *name)
{
    for (const struct web_asset *a = web_assets; a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

void page_static(struct web_request *r, const char *rest)
{
    char *name = g_strconcat("static/", rest, NULL);
    const struct web_asset *a = strstr(rest, "..") ? NULL : web_asset_find(name);
    g_free(name);
    if (!a) {
        web_error(r, 404, "There is no such file.");
        return;
    }
    r->bytes = g_bytes_new_static(a->data, a->size);
    r->content_type = g_str_has_suffix(rest, ".css") ? "text/css; charset=utf-8"
                      : g_str_has_suffix(rest, ".js") ? "text/javascript; charset=utf-8"
                      : g_str_has_suffix(rest, ".png") ? "image/png"
                      : "application/octet-stream";
    web_add_header(r, "Cache-Control", "public, max-age=86400");
}
