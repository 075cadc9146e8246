/* fragment_cache: a hash table by case reference, and a use counter for the eviction
 * order. */
#include "fragment_cache.h"

#include <string.h>

struct fragment {
    char *reference;
    char *stamp;
    guint version;    /* the desk's version when the stamp was last found true */
    GBytes *html;
    guint64 used;     /* the cache's clock when last read or written */
};

struct fragment_cache {
    GMutex lock;
    GHashTable *by_case;  /* int64_t * -> struct fragment * */
    size_t bytes, max_bytes;
    guint64 clock;
};

static void fragment_free(gpointer p)
{
    struct fragment *f = p;
    g_free(f->reference);
    g_free(f->stamp);
    g_bytes_unref(f->html);
    g_free(f);
}

struct fragment_cache *fragment_cache_new(size_t max_bytes)
{
    struct fragment_cache *c = g_new0(struct fragment_cache, 1);
    g_mutex_init(&c->lock);
    c->by_case = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, fragment_free);
    c->max_bytes = max_bytes;
    return c;
}

void fragment_cache_free(struct fragment_cache **cache)
{
    if (!cache || !*cache)
        return;
    g_hash_table_destroy((*cache)->by_case);
    g_mutex_clear(&(*cache)->lock);
    g_free(*cache);
    *cache = NULL;
}

/* The fragment of reference if stamp (NULL: version alone) says it is true; the lock
 * is held. */
static GBytes *fragment_cache_find(struct fragment_cache *c, const char *reference, const char *stamp, guint version)
{
    struct fragment *f = g_hash_table_lookup(c->by_case, reference);
    if (!f || (stamp ? strcmp(f->stamp, stamp) != 0 : f->version != version))
        return NULL;
    f->version = version;
    f->used = ++c->clock;
    return g_bytes_ref(f->html);
}

GBytes *fragment_cache_fresh(struct fragment_cache *c, const char *reference, guint version)
{
    g_mutex_lock(&c->lock);
    GBytes *html = fragment_cache_find(c, reference, NULL, version);
    g_mutex_unlock(&c->lock);
    return html;
}

GBytes *fragment_cache_get(struct fragment_cache *c, const char *reference, const char *stamp, guint version)
{
    g_mutex_lock(&c->lock);
    GBytes *html = fragment_cache_find(c, reference, stamp, version);
    g_mutex_unlock(&c->lock);
    return html;
}

/* Drop the least recently used fragment; the lock is held. */
static void fragment_cache_evict_one(struct fragment_cache *c)
{
    GHashTableIter it;
    gpointer key, value;
    struct fragment *oldest = NULL;
    g_hash_table_iter_init(&it, c->by_case);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        struct fragment *f = value;
        if (!oldest || f->used < oldest->used)
            oldest = f;
    }
    if (oldest) {
        c->bytes -= g_bytes_get_size(oldest->html);
        g_hash_table_remove(c->by_case, oldest->reference);
    }
}

void fragment_cache_put(struct fragment_cache *c, const char *reference, const char *stamp, guint version,
                        GBytes *html)
{
    size_t size = g_bytes_get_size(html);
    if (size > c->max_bytes / 4)
        return; /* one case must not push out a quarter of the others */
    struct fragment *f = g_new0(struct fragment, 1);
    f->reference = g_strdup(reference);
    f->stamp = g_strdup(stamp);
    f->version = version;
    f->html = g_bytes_ref(html);
    g_mutex_lock(&c->lock);
    struct fragment *old = g_hash_table_lookup(c->by_case, reference);
    if (old) {
        c->bytes -= g_bytes_get_size(old->html);
        g_hash_table_remove(c->by_case, reference);
    }
    while (c->bytes + size > c->max_bytes && g_hash_table_size(c->by_case))
        fragment_cache_evict_one(c);
    f->used = ++c->clock;
    c->bytes += size;
    g_hash_table_insert(c->by_case, f->reference, f);
    g_mutex_unlock(&c->lock);
}

size_t fragment_cache_bytes(struct fragment_cache *c)
{
    g_mutex_lock(&c->lock);
    size_t bytes = c->bytes;
    g_mutex_unlock(&c->lock);
    return bytes;
}
