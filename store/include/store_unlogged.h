/* store_unlogged: mail that was not logged, for `caselog unlogged`. Part of the store
 * API (store.h). */
#ifndef CASELOG_STORE_UNLOGGED_H
#define CASELOG_STORE_UNLOGGED_H

#include "store.h"

/* The words every too-large row's reason holds ("message of N bytes is over
 * limits.max_message_size"): such a row keeps only the message's header. */
#define STORE_UNLOGGED_TOO_LARGE "over limits.max_message_size"

struct unlogged_row {
    int64_t id, created_at, received_at;
    char *mailbox, *reason, *message_id, *from_address, *subject;
    uint32_t uid;
    int64_t size;
};
void unlogged_row_free(gpointer row);

/* Every unlogged row, newest first. Caller frees with g_ptr_array_unref(). */
GPtrArray *store_unlogged_list(struct store *st, GError **error);
/* One row and its raw bytes (*raw_out); NULL with no error set if there is none. */
struct unlogged_row *store_unlogged_get(struct store *st, int64_t id, GBytes **raw_out, GError **error);
/* Drop a row once its message has been logged by `caselog unlogged reprocess`. */
bool store_unlogged_delete(struct store *st, int64_t id, GError **error);

#endif
