/* pool: a mutex, a condition and a stack of idle connections. */
#include "pool.h"

#include <glib.h>

#include "store_web.h"

#define WEB_POOL_WAIT_US (10 * G_USEC_PER_SEC)

struct web_pool {
    char *conninfo, *user;
    int size, open;     /* the limit, and how many exist (idle or out) */
    GPtrArray *idle;    /* struct store * */
    GMutex lock;
    GCond freed;
};

struct web_pool *web_pool_new(const char *conninfo, const char *user, int size)
{
    struct web_pool *pool = g_new0(struct web_pool, 1);
    pool->conninfo = g_strdup(conninfo);
    pool->user = g_strdup(user);
    pool->size = size;
    pool->idle = g_ptr_array_new();
    g_mutex_init(&pool->lock);
    g_cond_init(&pool->freed);
    return pool;
}

void web_pool_free(struct web_pool **pool)
{
    if (!pool || !*pool)
        return;
    struct web_pool *p = *pool;
    for (guint i = 0; i < p->idle->len; i++) {
        struct store *st = g_ptr_array_index(p->idle, i);
        store_close(&st);
    }
    g_ptr_array_unref(p->idle);
    g_mutex_clear(&p->lock);
    g_cond_clear(&p->freed);
    g_free(p->conninfo);
    g_free(p->user);
    g_free(p);
    *pool = NULL;
}

struct store *web_pool_take(struct web_pool *pool, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + WEB_POOL_WAIT_US;
    g_mutex_lock(&pool->lock);
    while (!pool->idle->len && pool->open >= pool->size) {
        if (!g_cond_wait_until(&pool->freed, &pool->lock, deadline)) {
            g_mutex_unlock(&pool->lock);
            g_set_error(error, STORE_ERROR, STORE_ERROR_CONNECTION, "every database connection is busy");
            return NULL;
        }
    }
    if (pool->idle->len) {
        struct store *st = g_ptr_array_steal_index_fast(pool->idle, pool->idle->len - 1);
        g_mutex_unlock(&pool->lock);
        return st;
    }
    pool->open++; /* counted before connecting, so no other thread overshoots the limit */
    g_mutex_unlock(&pool->lock);
    struct store *st = store_open_as(pool->conninfo, pool->user, error);
    if (st && !store_web_setup(st, error))
        store_close(&st);
    if (!st)
        web_pool_give(pool, NULL, false);
    return st;
}

void web_pool_give(struct web_pool *pool, struct store *st, bool reusable)
{
    if (st && !reusable)
        store_close(&st);
    g_mutex_lock(&pool->lock);
    if (st)
        g_ptr_array_add(pool->idle, st);
    else
        pool->open--;
    g_cond_signal(&pool->freed);
    g_mutex_unlock(&pool->lock);
}
