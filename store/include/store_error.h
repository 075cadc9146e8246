/* store_error: the store's error domain, on its own so that the statement layer
 * (db.c) can set it without seeing the store's whole interface. */
#ifndef CASELOG_STORE_ERROR_H
#define CASELOG_STORE_ERROR_H

#include <glib.h>

#define STORE_ERROR (store_error_quark())
GQuark store_error_quark(void);

enum store_error_code {
    STORE_ERROR_CONNECTION, /* database unreachable: back off, touch no IMAP message */
    STORE_ERROR_RETRY,      /* serialization failure or deadlock: redo the transaction */
    STORE_ERROR_MESSAGE,    /* this message could not be stored (its savepoint rolled back) */
    STORE_ERROR_FAILED,     /* anything else (bad migration, constraint, usage) */
};

#endif
