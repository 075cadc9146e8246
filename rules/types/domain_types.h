/* domain_types: the desk's vocabulary that every layer shares: case types, message
 * classes, case states, hold reasons and lengths of time, with the names they are
 * stored and configured under. Pure data and name tables: no GLib objects, no I/O.
 * The parser, the config loader, the rules, the store and both programs include
 * this header; it includes nothing of ours. */
#ifndef CASELOG_DOMAIN_TYPES_H
#define CASELOG_DOMAIN_TYPES_H

#include <stdbool.h>
#include <stdint.h>

enum case_type {
    CASE_TYPE_INCIDENT,
    CASE_TYPE_SERVICE_REQUEST,
    CASE_TYPE_ENQUIRY,
    CASE_TYPE_CHANGE_REQUEST,
    CASE_TYPE_COMPLAINT,
    CASE_TYPE_COUNT
};
/* "incident", "service_request", ... in enum order, NULL-terminated: the one table
 * the config file, the store and the report all read. */
extern const char *const case_type_names[CASE_TYPE_COUNT + 1];
/* "incident", "service_request", ...; static strings ("unknown" if out of range). */
const char *case_type_name(enum case_type type);
/* -1 if unknown. */
int case_type_from_name(const char *name);

/* Message classification (SPEC section 3 step 2); produced by the parser. */
enum msg_class {
    MSG_CLASS_ORDINARY,
    MSG_CLASS_AUTO_REPLY,
    MSG_CLASS_BOUNCE,
    MSG_CLASS_LIST,
    MSG_CLASS_LOOP,
    MSG_CLASS_COUNT
};
/* "ordinary", "auto_reply", "bounce", "list", "loop", NULL. */
extern const char *const msg_class_names[MSG_CLASS_COUNT + 1];
const char *msg_class_name(enum msg_class cls);
int msg_class_from_name(const char *name);

/* A case's state as stored (cases.state). */
enum thread_case_state {
    THREAD_STATE_OPEN,
    THREAD_STATE_ASSIGNED,
    THREAD_STATE_ON_HOLD,
    THREAD_STATE_RESOLVED,
    THREAD_STATE_CLOSED
};
/* "open", "assigned", "on_hold", "resolved", "closed"; "unknown" if out of range. */
const char *case_state_name(enum thread_case_state state);
/* -1 if unknown. */
int thread_case_state_from_name(const char *name);

/* Why a case is on hold (cases.hold_reason; NULL in the table is HOLD_NONE). */
enum hold_reason { HOLD_NONE, HOLD_AWAITING_CUSTOMER, HOLD_AWAITING_CHANGE, HOLD_CUSTOMER_DEFERRAL };
/* "awaiting_customer", ... as stored; HOLD_NONE for NULL; -1 if unknown. */
int hold_reason_from_name(const char *name);
const char *hold_reason_name(enum hold_reason reason); /* NULL for HOLD_NONE */

/* A length of time as written in the config: "60s", "20m", "4h", "2d".
 * Where it is a working-time target (priorities, closure) m/h are working minutes and
 * hours and d is working days; elsewhere it is wall-clock time. */
enum duration_unit { DURATION_SECONDS, DURATION_MINUTES, DURATION_HOURS, DURATION_DAYS };
struct duration {
    int64_t amount;
    enum duration_unit unit;
};
/* Parse "<digits><s|m|h|d>"; false if malformed or overflowing. */
bool duration_parse(const char *text, struct duration *out);
/* Wall-clock seconds (d = 86400). */
int64_t duration_seconds(const struct duration *d);

#endif
