/* fragment_cache: finished HTML of a case's thread and attachments, kept per case with
 * the stamp of what it was made from (the case's latest message and event, the staff
 * list's last change). Mail and events are never edited, so a fragment with the same
 * stamp is the same HTML: opening a long case again costs one small query, not its
 * whole thread. The fragment holds nothing that depends on who looks: who may see the
 * case is checked by the database on every request, before the cache is asked.
 * Bounded in bytes; the least recently used fragments go first. Thread-safe. */
#ifndef CASELOG_WEB_FRAGMENT_CACHE_H
#define CASELOG_WEB_FRAGMENT_CACHE_H

#include <glib.h>
#include <stdint.h>

struct fragment_cache;

/* A cache of at most max_bytes of fragments. */
struct fragment_cache *fragment_cache_new(size_t max_bytes);
void fragment_cache_free(struct fragment_cache **cache);
/* The fragment of case_id made from stamp, or NULL. Caller g_bytes_unref()s. */
GBytes *fragment_cache_get(struct fragment_cache *cache, int64_t case_id, const char *stamp);
/* Keep html as case_id's fragment for stamp (replacing an older one). */
void fragment_cache_put(struct fragment_cache *cache, int64_t case_id, const char *stamp, GBytes *html);
/* Bytes held now. */
size_t fragment_cache_bytes(struct fragment_cache *cache);

#endif
