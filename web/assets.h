/* assets: templates/web/ built into the program (page templates and the static CSS and
 * JavaScript), so an installed caselog-web cannot run with pages of another version. */
#ifndef CASELOG_WEB_ASSETS_H
#define CASELOG_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
    const char *name;           /* path below templates/web/: "queue.html", "static/app.css" */
    const unsigned char *data;  /* size bytes, then a NUL */
    size_t size;
};
/* Every file, ending with an entry whose name is NULL (assets.c, generated). */
extern const struct web_asset web_assets[];

/* The asset called name, or NULL. */
const struct web_asset *web_asset_find(const char *name);

#endif
