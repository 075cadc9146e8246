/* domain_types: the name tables of the shared vocabulary, and durations. */
#include "domain_types.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *const case_type_names[CASE_TYPE_COUNT + 1] = {
    "incident", "service_request", "enquiry", "change_request", "complaint", NULL,
};
const char *const msg_class_names[MSG_CLASS_COUNT + 1] = {
    "ordinary", "auto_reply", "bounce", "list", "loop", NULL,
};
static const char *const state_names[] = { "open", "assigned", "on_hold", "resolved", "closed" };
static const char *const hold_names[] = { NULL, "awaiting_customer", "awaiting_change", "customer_deferral" };

/* The index of name in names[first..n), or -1. */
static int name_index(const char *const *names, size_t first, size_t n, const char *name)
{
    for (size_t i = first; name && i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

const char *case_type_name(enum case_type type)
{
    return (unsigned)type < CASE_TYPE_COUNT ? case_type_names[type] : "unknown";
}

int case_type_from_name(const char *name)
{
    return name_index(case_type_names, 0, CASE_TYPE_COUNT, name);
}

const char *msg_class_name(enum msg_class cls)
{
    return (unsigned)cls < MSG_CLASS_COUNT ? msg_class_names[cls] : "unknown";
}

int msg_class_from_name(const char *name)
{
    return name_index(msg_class_names, 0, MSG_CLASS_COUNT, name);
}

const char *case_state_name(enum thread_case_state state)
{
    return (size_t)state < N_OF(state_names) ? state_names[state] : "unknown";
}

int thread_case_state_from_name(const char *name)
{
    return name_index(state_names, 0, N_OF(state_names), name);
}

int hold_reason_from_name(const char *name)
{
    return name ? name_index(hold_names, 1, N_OF(hold_names), name) : HOLD_NONE;
}

const char *hold_reason_name(enum hold_reason reason)
{
    return (size_t)reason < N_OF(hold_names) ? hold_names[reason] : NULL;
}

bool duration_parse(const char *text, struct duration *out)
{
    if (!text || text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    if (errno || v < 0 || v > (1LL << 40))
        return false;
    static const char units[] = "smhd";
    const char *unit = *end ? strchr(units, *end) : NULL;
    if (!unit || end[1] != '\0')
        return false;
    out->amount = v;
    out->unit = (enum duration_unit)(unit - units);
    return true;
}

int64_t duration_seconds(const struct duration *d)
{
    static const int64_t factor[] = { 1, 60, 3600, 86400 };
    return d->amount * factor[d->unit];
}
