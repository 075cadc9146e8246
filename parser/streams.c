/* streams: the parser's three GMimeStreams.
 * - view: a read-only stream over bytes the caller owns. gmime's memory stream copies
 *   its buffer (into a GByteArray that doubles as it grows: 32 MB of heap for a 20 MB
 *   message); this one reads the caller's bytes in place, and its substreams (which
 *   gmime's parser makes for every part's content) share them. The bytes must outlive
 *   the stream and everything gmime builds on it.
 * - hash: a write-only stream that keeps nothing: it counts and hashes (SHA-256) what
 *   is written to it, so that an attachment's size and digest are known without
 *   holding its decoded content in memory.
 * - capped: a write-only stream that keeps the first bytes written to it (a body part's
 *   text, read at most so far) and counts the rest. */
#include "parser_private.h"

#include <errno.h>

#include "sha256.h"

/* What both do alike. */
static int stream_nothing_to_do(GMimeStream *stream)
{
    (void)stream;
    return 0;
}

static gint64 stream_tell(GMimeStream *stream)
{
    return stream->position;
}

/* ---------- view ---------- */

typedef struct {
    GMimeStream parent;
    const char *data;
    gint64 len;
} ViewStream;

typedef struct {
    GMimeStreamClass parent_class;
} ViewStreamClass;

GType view_stream_get_type(void);
G_DEFINE_TYPE(ViewStream, view_stream, GMIME_TYPE_STREAM)

static gint64 view_end(GMimeStream *stream)
{
    return stream->bound_end != -1 ? stream->bound_end : ((ViewStream *)stream)->len;
}

static ssize_t view_read(GMimeStream *stream, char *buf, size_t len)
{
    ViewStream *view = (ViewStream *)stream;
    gint64 left = view_end(stream) - stream->position;
    if (left < 0) {
        errno = EINVAL;
        return -1;
    }
    size_t n = (size_t)MIN(left, (gint64)len);
    if (n > 0) {
        memcpy(buf, view->data + stream->position, n);
        stream->position += (gint64)n;
    }
    return (ssize_t)n;
}

static ssize_t view_write(GMimeStream *stream, const char *buf, size_t len)
{
    (void)stream, (void)buf, (void)len;
    errno = EBADF;
    return -1;
}

static gboolean view_eos(GMimeStream *stream)
{
    return stream->position >= view_end(stream);
}

static int view_reset(GMimeStream *stream)
{
    stream->position = stream->bound_start;
    return 0;
}

static gint64 view_seek(GMimeStream *stream, gint64 offset, GMimeSeekWhence whence)
{
    gint64 end = view_end(stream);
    gint64 to = whence == GMIME_STREAM_SEEK_SET ? offset
              : whence == GMIME_STREAM_SEEK_CUR ? stream->position + offset
                                                : end + offset;
    if (to < stream->bound_start || to > end) {
        errno = EINVAL;
        return -1;
    }
    stream->position = to;
    return to;
}

static gint64 view_length(GMimeStream *stream)
{
    return view_end(stream) - stream->bound_start;
}

static GMimeStream *view_substream(GMimeStream *stream, gint64 start, gint64 end)
{
    ViewStream *view = (ViewStream *)stream;
    ViewStream *sub = g_object_new(view_stream_get_type(), NULL);
    sub->data = view->data;
    sub->len = view->len;
    g_mime_stream_construct(GMIME_STREAM(sub), start, end);
    return GMIME_STREAM(sub);
}

static void view_stream_class_init(ViewStreamClass *klass)
{
    GMimeStreamClass *stream = GMIME_STREAM_CLASS(klass);
    stream->read = view_read;
    stream->write = view_write;
    stream->flush = stream_nothing_to_do;
    stream->close = stream_nothing_to_do;
    stream->eos = view_eos;
    stream->reset = view_reset;
    stream->seek = view_seek;
    stream->tell = stream_tell;
    stream->length = view_length;
    stream->substream = view_substream;
}

static void view_stream_init(ViewStream *view)
{
    (void)view;
}

GMimeStream *view_stream_new(const char *data, size_t len)
{
    ViewStream *view = g_object_new(view_stream_get_type(), NULL);
    view->data = data;
    view->len = (gint64)len;
    g_mime_stream_construct(GMIME_STREAM(view), 0, (gint64)len);
    return GMIME_STREAM(view);
}

bool view_stream_bytes(GMimeStream *stream, const char **data_out, size_t *len_out)
{
    if (!G_TYPE_CHECK_INSTANCE_TYPE(stream, view_stream_get_type()))
        return false;
    ViewStream *view = (ViewStream *)stream;
    gint64 start = MAX(stream->bound_start, 0), end = MIN(view_end(stream), view->len);
    *data_out = view->data + start;
    *len_out = end > start ? (size_t)(end - start) : 0;
    return true;
}

/* ---------- hash ---------- */

typedef struct {
    GMimeStream parent;
    struct sha256 *hash;
    size_t written;
} HashStream;

typedef struct {
    GMimeStreamClass parent_class;
} HashStreamClass;

GType hash_stream_get_type(void);
G_DEFINE_TYPE(HashStream, hash_stream, GMIME_TYPE_STREAM)

static ssize_t hash_read(GMimeStream *stream, char *buf, size_t len)
{
    (void)stream, (void)buf, (void)len;
    errno = EBADF;
    return -1;
}

static ssize_t hash_write(GMimeStream *stream, const char *buf, size_t len)
{
    HashStream *h = (HashStream *)stream;
    if (!h->hash) {
        errno = EBADF;
        return -1;
    }
    sha256_add(h->hash, buf, len);
    h->written += len;
    stream->position += (gint64)len;
    return (ssize_t)len;
}

static gboolean hash_eos(GMimeStream *stream)
{
    (void)stream;
    return TRUE;
}

static int hash_reset(GMimeStream *stream)
{
    (void)stream;
    errno = EBADF;
    return -1;
}

static gint64 hash_seek(GMimeStream *stream, gint64 offset, GMimeSeekWhence whence)
{
    (void)stream, (void)offset, (void)whence;
    errno = ESPIPE;
    return -1;
}

static gint64 hash_length(GMimeStream *stream)
{
    return (gint64)((HashStream *)stream)->written;
}

static GMimeStream *hash_substream(GMimeStream *stream, gint64 start, gint64 end)
{
    (void)stream, (void)start, (void)end;
    return NULL;
}

static void hash_finalize(GObject *object)
{
    HashStream *h = (HashStream *)object;
    if (h->hash) {
        char ignored[SHA256_HEX_SIZE];
        sha256_finish(h->hash, ignored);
    }
    G_OBJECT_CLASS(hash_stream_parent_class)->finalize(object);
}

/* A write-only stream's class: nothing to read, seek or cut out of it. */
static void write_only_class_init(GMimeStreamClass *stream, ssize_t (*write)(GMimeStream *, const char *, size_t),
                                  gint64 (*length)(GMimeStream *))
{
    stream->read = hash_read;
    stream->write = write;
    stream->flush = stream_nothing_to_do;
    stream->close = stream_nothing_to_do;
    stream->eos = hash_eos;
    stream->reset = hash_reset;
    stream->seek = hash_seek;
    stream->tell = stream_tell;
    stream->length = length;
    stream->substream = hash_substream;
}

static void hash_stream_class_init(HashStreamClass *klass)
{
    G_OBJECT_CLASS(klass)->finalize = hash_finalize;
    write_only_class_init(GMIME_STREAM_CLASS(klass), hash_write, hash_length);
}

static void hash_stream_init(HashStream *h)
{
    h->hash = sha256_new();
}

GMimeStream *hash_stream_new(void)
{
    HashStream *h = g_object_new(hash_stream_get_type(), NULL);
    g_mime_stream_construct(GMIME_STREAM(h), 0, -1);
    return GMIME_STREAM(h);
}

size_t hash_stream_finish(GMimeStream *stream, char hex[65])
{
    HashStream *h = (HashStream *)stream;
    size_t written = h->written;
    sha256_finish(h->hash, hex);
    h->hash = NULL;
    g_object_unref(stream);
    return written;
}

/* ---------- capped ---------- */

typedef struct {
    GMimeStream parent;
    GByteArray *out;   /* borrowed */
    size_t cap, written;
} CappedStream;

typedef struct {
    GMimeStreamClass parent_class;
} CappedStreamClass;

GType capped_stream_get_type(void);
G_DEFINE_TYPE(CappedStream, capped_stream, GMIME_TYPE_STREAM)

static ssize_t capped_write(GMimeStream *stream, const char *buf, size_t len)
{
    CappedStream *c = (CappedStream *)stream;
    size_t room = c->out->len < c->cap ? c->cap - c->out->len : 0;
    if (room)
        g_byte_array_append(c->out, (const guint8 *)buf, (guint)MIN(room, len));
    c->written += len;
    stream->position += (gint64)len;
    return (ssize_t)len; /* the rest is counted, not kept: the writer goes on */
}

static gint64 capped_length(GMimeStream *stream)
{
    return (gint64)((CappedStream *)stream)->written;
}

static void capped_stream_class_init(CappedStreamClass *klass)
{
    write_only_class_init(GMIME_STREAM_CLASS(klass), capped_write, capped_length);
}

static void capped_stream_init(CappedStream *c)
{
    (void)c;
}

GMimeStream *capped_stream_new(GByteArray *out, size_t cap)
{
    CappedStream *c = g_object_new(capped_stream_get_type(), NULL);
    c->out = out;
    c->cap = cap;
    g_mime_stream_construct(GMIME_STREAM(c), 0, -1);
    return GMIME_STREAM(c);
}

size_t capped_stream_written(GMimeStream *stream)
{
    return ((CappedStream *)stream)->written;
}
