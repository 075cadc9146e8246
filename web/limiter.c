/* limiter: for each key ("a:" address or "r:" role) the times of its recent failures,
 * oldest first, at most max of them. Keys whose failures have all aged out are dropped
 * as they are met, and all at once when the table grows large. */
#include "limiter.h"

#include <glib.h>

#define LIMITER_MAX_KEYS 20000

struct web_limiter {
    int max_address, max_role;
    int64_t window;
    GHashTable *failures; /* key -> GArray of int64_t */
    GMutex lock;
};

struct web_limiter *web_limiter_new(int max_per_address, int max_per_role, int64_t window_s)
{
    struct web_limiter *l = g_new0(struct web_limiter, 1);
    l->max_address = max_per_address;
    l->max_role = max_per_role;
    l->window = window_s;
    l->failures = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);
    g_mutex_init(&l->lock);
    return l;
}

void web_limiter_free(struct web_limiter **l)
{
    if (!l || !*l)
        return;
    g_hash_table_destroy((*l)->failures);
    g_mutex_clear(&(*l)->lock);
    g_free(*l);
    *l = NULL;
}

/* Drop failures of times older than the window; true if none is left. */
static bool limiter_age(struct web_limiter *l, GArray *times, int64_t now)
{
    guint old = 0;
    while (old < times->len && g_array_index(times, int64_t, old) <= now - l->window)
        old++;
    g_array_remove_range(times, 0, old);
    return times->len == 0;
}

static gboolean limiter_prune_one(gpointer key, gpointer value, gpointer data)
{
    const int64_t *args = data; /* [0] = now, [1] = window */
    GArray *times = value;
    return !times->len || g_array_index(times, int64_t, times->len - 1) <= args[0] - args[1];
}

/* Seconds until key may try again (0: now). */
static int64_t limiter_wait(struct web_limiter *l, const char *key, int max, int64_t now)
{
    GArray *times = g_hash_table_lookup(l->failures, key);
    if (!times)
        return 0;
    if (limiter_age(l, times, now)) {
        g_hash_table_remove(l->failures, key);
        return 0;
    }
    if ((int)times->len < max)
        return 0;
    return g_array_index(times, int64_t, times->len - (guint)max) + l->window - now;
}

bool web_limiter_allow(struct web_limiter *l, const char *address, const char *role, int64_t now,
                       int64_t *retry_after_s)
{
    char *akey = g_strconcat("a:", address ? address : "", NULL), *rkey = g_strconcat("r:", role ? role : "", NULL);
    g_mutex_lock(&l->lock);
    int64_t wait = MAX(limiter_wait(l, akey, l->max_address, now), limiter_wait(l, rkey, l->max_role, now));
    g_mutex_unlock(&l->lock);
    g_free(akey);
    g_free(rkey);
    *retry_after_s = wait;
    return wait == 0;
}

static void limiter_record(struct web_limiter *l, char *key, int max, int64_t now)
{
    GArray *times = g_hash_table_lookup(l->failures, key);
    if (!times) {
        times = g_array_new(FALSE, FALSE, sizeof(int64_t));
        g_hash_table_insert(l->failures, key, times);
    } else {
        g_free(key);
    }
    limiter_age(l, times, now);
    g_array_append_val(times, now);
    if ((int)times->len > max) /* only the last max matter */
        g_array_remove_range(times, 0, times->len - (guint)max);
}

void web_limiter_failed(struct web_limiter *l, const char *address, const char *role, int64_t now)
{
    g_mutex_lock(&l->lock);
    if (g_hash_table_size(l->failures) >= LIMITER_MAX_KEYS) {
        int64_t args[2] = { now, l->window };
        g_hash_table_foreach_remove(l->failures, limiter_prune_one, args);
    }
    limiter_record(l, g_strconcat("a:", address ? address : "", NULL), l->max_address, now);
    limiter_record(l, g_strconcat("r:", role ? role : "", NULL), l->max_role, now);
    g_mutex_unlock(&l->lock);
}

void web_limiter_succeeded(struct web_limiter *l, const char *role)
{
    char *rkey = g_strconcat("r:", role ? role : "", NULL);
    g_mutex_lock(&l->lock);
    g_hash_table_remove(l->failures, rkey);
    g_mutex_unlock(&l->lock);
    g_free(rkey);
}
