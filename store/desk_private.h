/* desk_private: what desk_store.c (one case) and desk_list.c (the list) share. */
#ifndef CASELOG_DESK_PRIVATE_H
#define CASELOG_DESK_PRIVATE_H

#include "store_desk.h"
#include "store_private.h"

/* The columns of a struct desk_case, read from case_sla by desk_case_from_row(). */
#define DESK_CASE_COLUMNS                                                                                   \
    "id, reference, type, state, hold_reason, queue, priority_reason, assignee, school, requester, "         \
    "requester_name, subject, (SELECT f.reference FROM cases f WHERE f.id = case_sla.follows), "             \
    "response_status, resolution_status, "                                                                   \
    "(SELECT st.display_name FROM staff st WHERE st.role_name = case_sla.assignee), school_identifier, "    \
    "priority, reactivations, confidential, confirm_required, "                                              \
    "extract(epoch FROM received_at)::bigint, extract(epoch FROM logged_at)::bigint, "                      \
    "extract(epoch FROM response_due)::bigint, extract(epoch FROM responded_at)::bigint, "                  \
    "extract(epoch FROM resolution_due)::bigint, extract(epoch FROM resolved_at)::bigint, "                 \
    "extract(epoch FROM closed_at)::bigint, extract(epoch FROM hold_until)::bigint, "                      \
    "(SELECT p.reference FROM cases x JOIN cases p ON p.id = x.parent WHERE x.id = case_sla.id), "          \
    "(SELECT count(*) FROM cases k WHERE k.parent = case_sla.id)"
/* A case from the row's next DESK_CASE_COLUMNS (a db_list() item maker). Caller frees
 * with desk_case_free(). */
gpointer desk_case_from_row(struct db_row *r);

#endif
