/* fragment_cache: finished HTML of a case's thread and attachments, kept per case (by
 * its reference) with the stamp of what it was made from (how many messages and events
 * it has, the staff list's last change) and the desk's version when that stamp was last
 * found true (web_events_version(): it moves on with every change anywhere on the desk).
 * Mail and events are never edited, so a fragment with the same stamp is the same
 * HTML; and while the desk's version has not moved, the stamp has not either, so the
 * page need not even count. The fragment holds nothing that depends on who looks: who
 * may see the case is checked by the database on every request, before the fragment is
 * used. Bounded in bytes; the least recently used fragments go first. Thread-safe. */
#ifndef CASELOG_WEB_FRAGMENT_CACHE_H
#define CASELOG_WEB_FRAGMENT_CACHE_H

#include <glib.h>
#include <stdint.h>

struct fragment_cache;

/* A cache of at most max_bytes of fragments. */
struct fragment_cache *fragment_cache_new(size_t max_bytes);
void fragment_cache_free(struct fragment_cache **cache);
/* The fragment of case reference that was found true at the desk's version, or NULL
 * (the desk changed since, or there is none). Caller g_bytes_unref()s. */
GBytes *fragment_cache_fresh(struct fragment_cache *cache, const char *reference, guint version);
/* The fragment of case reference made from stamp, or NULL; if there is one, it is now
 * known true at version (the desk's version read before the stamp was). Caller
 * g_bytes_unref()s. */
GBytes *fragment_cache_get(struct fragment_cache *cache, const char *reference, const char *stamp, guint version);
/* Keep html as reference's fragment for stamp, true at version (replacing an older one). */
void fragment_cache_put(struct fragment_cache *cache, const char *reference, const char *stamp, guint version,
                        GBytes *html);
/* Bytes held now. */
size_t fragment_cache_bytes(struct fragment_cache *cache);

#endif
