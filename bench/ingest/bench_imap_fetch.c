/* bench_imap_fetch: the IMAP baseline of bench/ingest (issue 10 (a)): how fast Dovecot
 * serves the messages of one folder to a minimal libetpan loop. Plain IMAP on loopback:
 * LOGIN, EXAMINE FOLDER, then (timed) UID SEARCH ALL and UID FETCH of BODY.PEEK[] in
 * batches of 100 UIDs, each response freed as soon as its bytes are counted. Prints
 *   bench_imap_fetch: messages=N bytes=B seconds=S msg_per_s=R
 * Usage: bench_imap_fetch HOST PORT USER PASSWORD_ENV FOLDER */
#include <libetpan/libetpan.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 100

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The errors this program can meet by name; the others by number. */
static const char *error_name(int r)
{
    switch (r) {
    case MAILIMAP_ERROR_BAD_STATE: return "bad state";
    case MAILIMAP_ERROR_STREAM: return "stream error (connection lost)";
    case MAILIMAP_ERROR_PARSE: return "cannot parse the server's response";
    case MAILIMAP_ERROR_CONNECTION_REFUSED: return "connection refused";
    case MAILIMAP_ERROR_MEMORY: return "out of memory";
    case MAILIMAP_ERROR_FATAL: return "fatal (server said BYE)";
    case MAILIMAP_ERROR_PROTOCOL: return "protocol error";
    case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION: return "server does not accept the connection";
    case MAILIMAP_ERROR_LOGOUT: return "LOGOUT refused";
    case MAILIMAP_ERROR_EXAMINE: return "EXAMINE refused";
    case MAILIMAP_ERROR_UID_FETCH: return "UID FETCH refused";
    case MAILIMAP_ERROR_LOGIN: return "LOGIN refused";
    case MAILIMAP_ERROR_UID_SEARCH: return "UID SEARCH refused";
    case MAILIMAP_ERROR_INVAL: return "invalid argument";
    default: return "libetpan error";
    }
}

/* Exit with what failed, libetpan's code and the server's last words. */
static void check(mailimap *imap, int r, const char *what)
{
    if (r == MAILIMAP_NO_ERROR || r == MAILIMAP_NO_ERROR_AUTHENTICATED ||
        r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
        return;
    fprintf(stderr, "bench_imap_fetch: %s failed: %s (libetpan %d)%s%s\n", what, error_name(r), r,
            imap && imap->imap_response ? ", server said: " : "",
            imap && imap->imap_response ? imap->imap_response : "");
    exit(1);
}

static void *need(void *p, const char *what)
{
    if (p == NULL) {
        fprintf(stderr, "bench_imap_fetch: out of memory (%s)\n", what);
        exit(1);
    }
    return p;
}

/* Count the messages of one FETCH response list that carry a body, and their bytes. */
static unsigned count_bodies(clist *fetch, uint64_t *bytes)
{
    unsigned n = 0;
    for (clistiter *i = clist_begin(fetch); i != NULL; i = clist_next(i)) {
        struct mailimap_msg_att *att = clist_content(i);
        for (clistiter *j = clist_begin(att->att_list); j != NULL; j = clist_next(j)) {
            struct mailimap_msg_att_item *item = clist_content(j);
            if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
                item->att_data.att_static->att_type != MAILIMAP_MSG_ATT_BODY_SECTION)
                continue;
            struct mailimap_msg_att_body_section *b = item->att_data.att_static->att_data.att_body_section;
            if (b->sec_body_part != NULL) {
                n++;
                *bytes += b->sec_length;
            }
        }
    }
    return n;
}

/* Every UID of the selected folder, ascending; *total_out their number. free() them. */
static uint32_t *all_uids(mailimap *imap, unsigned *total_out)
{
    struct mailimap_search_key *all = need(mailimap_search_key_new_all(), "search key");
    clist *found = NULL;
    check(imap, mailimap_uid_search(imap, NULL, all, &found), "UID SEARCH ALL");
    mailimap_search_key_free(all);
    unsigned total = (unsigned)clist_count(found);
    uint32_t *uids = need(malloc(sizeof(uint32_t) * (total ? total : 1)), "uids");
    unsigned k = 0;
    for (clistiter *i = clist_begin(found); i != NULL; i = clist_next(i))
        uids[k++] = *(uint32_t *)clist_content(i);
    mailimap_search_result_free(found);
    qsort(uids, total, sizeof uids[0], cmp_u32);
    *total_out = total;
    return uids;
}

/* UID FETCH BODY.PEEK[] of uids[from..to); the bodies counted (their bytes into *bytes). */
static unsigned fetch_batch(mailimap *imap, const uint32_t *uids, unsigned from, unsigned to, uint64_t *bytes)
{
    struct mailimap_set *set = need(mailimap_set_new_empty(), "set");
    for (unsigned i = from; i < to; i++) {
        /* contiguous UIDs as one interval, as a client would send them */
        unsigned j = i;
        while (j + 1 < to && uids[j + 1] == uids[j] + 1)
            j++;
        check(imap, mailimap_set_add_interval(set, uids[i], uids[j]), "building the UID set");
        i = j;
    }
    struct mailimap_fetch_type *ft = need(mailimap_fetch_type_new_fetch_att_list_empty(), "fetch type");
    struct mailimap_section *section = need(mailimap_section_new(NULL), "section");
    struct mailimap_fetch_att *body = need(mailimap_fetch_att_new_body_peek_section(section), "fetch att");
    check(imap, mailimap_fetch_type_new_fetch_att_list_add(ft, body), "building the fetch type");
    clist *result = NULL;
    check(imap, mailimap_uid_fetch(imap, set, ft, &result), "UID FETCH BODY.PEEK[]");
    unsigned n = count_bodies(result, bytes);
    mailimap_fetch_list_free(result);
    mailimap_fetch_type_free(ft);
    mailimap_set_free(set);
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench_imap_fetch HOST PORT USER PASSWORD_ENV FOLDER\n");
        return 2;
    }
    const char *host = argv[1], *user = argv[3], *folder = argv[5];
    char *end;
    long port = strtol(argv[2], &end, 10);
    if (*end != '\0' || port < 1 || port > 65535) {
        fprintf(stderr, "bench_imap_fetch: bad port \"%s\"\n", argv[2]);
        return 2;
    }
    const char *password = getenv(argv[4]);
    if (password == NULL) {
        fprintf(stderr, "bench_imap_fetch: the environment variable %s is not set\n", argv[4]);
        return 2;
    }

    mailimap *imap = need(mailimap_new(0, NULL), "session");
    check(imap, mailimap_socket_connect(imap, host, (uint16_t)port), "connect");
    check(imap, mailimap_login(imap, user, password), "LOGIN");
    check(imap, mailimap_examine(imap, folder), "EXAMINE");

    double start = now_s();
    unsigned total = 0, messages = 0;
    uint32_t *uids = all_uids(imap, &total);
    uint64_t bytes = 0;
    for (unsigned from = 0; from < total; from += BATCH)
        messages += fetch_batch(imap, uids, from, from + BATCH < total ? from + BATCH : total, &bytes);
    double seconds = now_s() - start;
    free(uids);
    check(imap, mailimap_logout(imap), "LOGOUT");
    mailimap_free(imap);

    if (messages != total) {
        fprintf(stderr, "bench_imap_fetch: %u UIDs found but %u bodies fetched\n", total, messages);
        return 1;
    }
    printf("bench_imap_fetch: messages=%u bytes=%llu seconds=%.3f msg_per_s=%.0f\n", messages,
           (unsigned long long)bytes, seconds, seconds > 0 ? messages / seconds : 0.0);
    return 0;
}
