/* config: the libconfig file (SPEC section 6) loaded into one immutable struct.
 * Every problem is reported as "file:line: message" and loading goes on, so that
 * --check-config lists them all. Secrets are never read into this struct: it only
 * names where they live (password_file, password_env, token_command).
 * The rest of the code only reads a struct config; nothing changes it after load. */
#ifndef CASELOG_CONFIG_H
#define CASELOG_CONFIG_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain_types.h" /* case types, message classes, durations */

/* Parse a size "25M", "512K", "1G" or plain bytes; false if malformed. */
bool size_parse(const char *text, int64_t *bytes_out);
/* A size in words for people: "31 MB", "512 KB", "900 bytes" (rounded). buf of 32. */
const char *size_words(int64_t bytes, char buf[32]);

enum tls_mode { TLS_IMPLICIT, TLS_STARTTLS, TLS_NONE };
enum auth_mode { AUTH_PASSWORD, AUTH_XOAUTH2, AUTH_NONE };
enum holiday_region {
    HOLIDAYS_NONE,
    HOLIDAYS_ENGLAND_AND_WALES,
    HOLIDAYS_SCOTLAND,
    HOLIDAYS_NORTHERN_IRELAND
};
enum unknown_senders { UNKNOWN_SENDERS_LOG, UNKNOWN_SENDERS_HOLD, UNKNOWN_SENDERS_UNLOGGED };

/* An opening period in local wall-clock minutes after midnight: start inclusive,
 * end exclusive; end may be 1440 (midnight). */
struct period {
    int start_min;
    int end_min;
};

#define CONFIG_MAX_PERIODS_PER_DAY 8
struct day_hours {
    int n_periods;
    struct period periods[CONFIG_MAX_PERIODS_PER_DAY]; /* sorted, not overlapping */
};

/* Inclusive range of local dates, as GDate Julian day numbers. */
struct date_range {
    uint32_t first_julian;
    uint32_t last_julian;
};

/* hours.periods: other weekly hours between two dates (the summer holiday, results
 * days). A weekday the profile does not name is closed while it applies. */
struct hours_profile {
    int line;                 /* where it is defined, for messages */
    char *name;               /* "summer holiday" */
    struct date_range dates;  /* from .. to, inclusive */
    struct day_hours week[7]; /* [0] = Monday ... [6] = Sunday */
};

struct config_hours {
    struct day_hours week[7]; /* [0] = Monday ... [6] = Sunday */
    enum holiday_region holidays;
    struct date_range *closures;
    int n_closures;
    struct hours_profile *profiles; /* not overlapping; in file order */
    int n_profiles;
};

struct config_desk {
    char *name;
    char *address;          /* From of every mail we send */
    char *domain;           /* right-hand side of our Message-IDs */
    char *reference_prefix; /* "INC" */
    int reference_digits;   /* 7 */
    char *timezone;         /* IANA name, checked with GLib */
    char *loop_header;      /* header we add to all our mail; default "X-Caselog-Loop" */
};

struct priority_target {
    int level;   /* 1..5 */
    char *name;  /* "Critical" */
    struct duration response;
    struct duration resolution;
    bool around_the_clock; /* hours = "24x7": its clocks never stop (no hours, no holidays) */
};

/* types: targets of one case type that override its priority's (SPEC section 4: a
 * complaint is acknowledged in 3 working days whatever its priority). */
struct type_target {
    int line;            /* 0: the config sets nothing for this type */
    bool has_response, has_resolution;
    struct duration response, resolution;
};

/* report: the service report's targets, in percent. */
struct config_report {
    int response_target;      /* at least this % of decided responses in time (95) */
    int resolution_target;    /* at least this % of decided resolutions in time (90) */
    int reactivation_max;     /* at most this % of resolved cases reactivated (3) */
    int first_contact_target; /* at least this % of resolved cases at first contact (60) */
};

struct config_mailbox {
    int line; /* where it is defined, for messages */
    char *name;
    char *host;
    int port;
    enum tls_mode tls;
    char *ca_file; /* NULL: system trust store */
    char *user;
    enum auth_mode auth;
    char *password_file; /* NULL if password_env or xoauth2 */
    char *password_env;
    char *token_command; /* xoauth2: prints a current access token */
    char *folder;
    char *processed_folder; /* NULL: mark \Seen and keep in folder */
    char *failed_folder;
    bool idle;
    struct duration poll_interval;
    enum case_type type;
    char *queue;
    int priority;
    char *address; /* the desk address this mailbox receives; default user */
    bool notify_cc; /* copy the school's notices to the colleagues its first mail copied; default true */
};

/* A routing rule: all given match keys must match; unset keys match anything.
 * Setters left unset (-1 / NULL) keep the previous value. */
struct routing_rule {
    int line;
    char *name;
    /* match */
    char *to;         /* a desk address the mail was sent to (To or Cc), case-insensitive */
    char *from;       /* sender address, or "@domain" / "domain" for a whole domain */
    char *school;     /* the sender's school identifier or name */
    GRegex *subject;  /* compiled once at load */
    GRegex *body;
    int classification; /* enum msg_class, or -1 for any */
    /* set */
    int type;         /* enum case_type, or -1 */
    char *queue;
    int priority;     /* 1..5, or 0 */
    int confidential; /* 0/1, or -1 */
};

struct config_smtp {
    char *host;
    int port;
    enum tls_mode tls;
    char *ca_file;
    char *user;
    enum auth_mode auth;
    char *password_file;
    char *password_env;
    char *token_command;
    struct duration give_up_after;
};

struct config_closure {
    int attempts;                  /* 3 */
    struct duration interval;      /* working days between requests, "2d" */
    struct duration close_after;   /* after the last request, "1d" */
    struct duration reopen_window; /* unconfirmed resolved cases close after, "5d" */
    char **confirm_words;          /* NULL-terminated, lower case */
};

struct config_limits {
    int64_t max_message_size;
    int auto_mail_per_sender_per_hour;
    int auto_mail_per_case_per_hour;
    struct duration no_ack_older_than;
};

/* alerts: staff alerts by e-mail (issue 19; caselog.conf(5), "alerts"). */
struct config_alert_queue {
    int line;
    char *queue;                   /* a queue name as cases carry it, "ICT" */
    char *to;                      /* where the queue's alerts go */
    int new_case_priority_at_most; /* a new case of this priority or higher alerts the queue; 0: none */
};

struct config_alerts {
    struct config_alert_queue *queues;
    int n_queues;
    double warning; /* the share of a target used up that warns, 0.75 */
};

/* updates: how often the school hears about an open case (the charters' promise). */
struct config_updates {
    struct duration cadence;                /* "5d"; amount 0: no promise kept */
    struct duration major_incident_cadence; /* "1h": a case with cases linked to it */
};
/* An address or network of trusted_proxies ("127.0.0.1", "10.0.0.0/8", "::1"). */
struct config_cidr {
    int family;              /* AF_INET or AF_INET6 */
    unsigned char bytes[16]; /* network byte order */
    int bits;                /* prefix length */
};

/* The web group: caselog-web (caselog-web(8)). */
struct config_web {
    bool configured;            /* the file has a web group (else every key is its default) */
    char *listen;               /* "127.0.0.1:8080" */
    char *listen_host;          /* parsed from listen, without brackets */
    int listen_port;
    char *base_url;             /* what browsers use, ends with '/'; default from listen */
    char *origin;               /* base_url's scheme://host[:port], for the Origin check */
    struct duration session_idle; /* wall clock, "8h" */
    char *tls_cert_file, *tls_key_file;  /* NULL: plain HTTP (loopback, or behind a proxy) */
    char *trusted_proxy_header; /* NULL: sign-in by password only */
    char **trusted_proxies;     /* as written; NULL-terminated */
    struct config_cidr *proxy_nets;
    int n_proxy_nets;
    char *conninfo;             /* NULL: database.conninfo as database_user */
    char *signin_conninfo;      /* NULL: conninfo's; where staff passwords are checked */
    char *database_user;        /* the web service's own role, "caselog_web" */
    int threads;                /* request threads */
};

/* "host:port" or "[v6]:port"; host g_strdup'd (caller frees). false if malformed. */
bool config_listen_parse(const char *text, char **host_out, int *port_out);
/* "addr" or "addr/bits", IPv4 or IPv6. */
bool config_cidr_parse(const char *text, struct config_cidr *out);
/* Is addr (4 or 16 bytes of family) inside net? */
bool config_cidr_contains(const struct config_cidr *net, int family, const unsigned char *addr);

struct config {
    char *path;
    struct config_desk desk;
    char *db_conninfo;
    struct config_hours hours;
    struct priority_target priorities[5]; /* [level - 1] */
    struct type_target types[CASE_TYPE_COUNT]; /* [enum case_type] */
    struct config_report report;
    struct config_mailbox *mailboxes;
    int n_mailboxes;
    struct routing_rule *routing;
    int n_routing;
    enum unknown_senders unknown_senders;
    struct config_smtp smtp;
    struct config_closure closure;
    struct config_limits limits;
    char *templates_dir; /* admin overrides; may be NULL */
    struct config_alerts alerts;
    struct config_updates updates;
    char **fallback_charsets; /* for undeclared 8-bit text, tried in order (never NULL or empty) */
    int log_level;          /* enum log_level of common/log.h; default info */
    char **desk_addresses;  /* config_desk_addresses(), made at load; NULL-terminated */
    struct config_web web;
};

/* Load and check path. Every problem is appended to errors (g_free'd strings
 * "file:line: message"). Returns NULL if there was any error; caller frees the
 * result with config_free(). */
struct config *config_load(const char *path, GPtrArray *errors);
/* The effective configuration as a config file, every default filled in, secrets shown
 * only as where they come from (`caselogd --print-config`). Caller g_free()s. */
char *config_print(const struct config *cfg);

/* config_load() for the desk's CLI, which needs no secret: password_file, password_env,
 * token_command and ca_file are checked for form only, never opened, read or run. */
struct config *config_load_desk(const char *path, GPtrArray *errors);
void config_free(struct config **cfg);

/* The mailbox named name, or NULL. Borrowed. */
const struct config_mailbox *config_find_mailbox(const struct config *cfg, const char *name);

/* The desk's own addresses, lower case: desk.address, each mailbox's address and user
 * (when it is an address), and the `to` of routing rules. NULL-terminated; caller
 * g_strfreev()s. config_load() keeps them in cfg->desk_addresses. */
char **config_desk_addresses(const struct config *cfg);

/* True if host is a loopback name or address (localhost, 127.0.0.0/8, ::1). */
bool config_host_is_loopback(const char *host);

#endif
