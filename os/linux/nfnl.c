#define _GNU_SOURCE
#include "nfnl.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NFT_TYPE(msg) ((uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | (msg)))
#define RECV_BUF      (64 * 1024)

/* Start a message; returns its offset in b. */
/* The payload of a received message. */
static const void *msg_data(const struct nlmsghdr *h)
{
    return (const char *)h + NLMSG_HDRLEN;
}

/* The next whole message in buf[0..len) from *off on, or NULL. */
static const struct nlmsghdr *msg_next(const char *buf, size_t len, size_t *off)
{
    if (*off + sizeof(struct nlmsghdr) > len)
        return NULL;
    const struct nlmsghdr *h = (const struct nlmsghdr *)(buf + *off);
    if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len - *off)
        return NULL;
    *off += NLMSG_ALIGN(h->nlmsg_len);
    return h;
}

static size_t msg_begin(struct brig_buf *b, uint16_t type, uint16_t flags, uint32_t seq,
                        uint8_t family, uint16_t res_id)
{
    size_t off = b->len;
    struct nlmsghdr h = {.nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq};
    struct nfgenmsg g = {.nfgen_family = family, .version = NFNETLINK_V0, .res_id = htons(res_id)};
    brig_buf_addn(b, (const char *)&h, sizeof(h));
    brig_buf_addn(b, (const char *)&g, sizeof(g));
    return off;
}

static void msg_end(struct brig_buf *b, size_t off)
{
    uint32_t len = (uint32_t)(b->len - off);
    memcpy(b->s + off + offsetof(struct nlmsghdr, nlmsg_len), &len, sizeof(len));
}

static void pad(struct brig_buf *b)
{
    static const char zero[NLA_ALIGNTO] = {0};
    size_t n = NLA_ALIGN(b->len) - b->len;
    if (n)
        brig_buf_addn(b, zero, n);
}

static size_t attr_begin(struct brig_buf *b, uint16_t type)
{
    size_t off = b->len;
    struct nlattr a = {.nla_type = type};
    brig_buf_addn(b, (const char *)&a, sizeof(a));
    return off;
}

static void attr_end(struct brig_buf *b, size_t off)
{
    uint16_t len = (uint16_t)(b->len - off);
    memcpy(b->s + off + offsetof(struct nlattr, nla_len), &len, sizeof(len));
    pad(b);
}

static void attr_put(struct brig_buf *b, uint16_t type, const void *data, size_t n)
{
    size_t a = attr_begin(b, type);
    brig_buf_addn(b, data, n);
    attr_end(b, a);
}

static void attr_str(struct brig_buf *b, uint16_t type, const char *s)
{
    attr_put(b, type, s, strlen(s) + 1);
}

static void del_rules_and_chain(struct brig_buf *b, const char *table, const char *chain,
                                uint32_t *seq)
{
    uint16_t f = NLM_F_REQUEST | NLM_F_ACK;
    size_t m = msg_begin(b, NFT_TYPE(NFT_MSG_DELRULE), f, (*seq)++, NFPROTO_BRIDGE, 0);
    attr_str(b, NFTA_RULE_TABLE, table);
    attr_str(b, NFTA_RULE_CHAIN, chain);
    msg_end(b, m);
    m = msg_begin(b, NFT_TYPE(NFT_MSG_DELCHAIN), f, (*seq)++, NFPROTO_BRIDGE, 0);
    attr_str(b, NFTA_CHAIN_TABLE, table);
    attr_str(b, NFTA_CHAIN_NAME, chain);
    msg_end(b, m);
}

unsigned brig_nfnl_render_remove(struct brig_buf *out, const char *table, const char *map,
                                 const char *chain, const char *const *ports, uint32_t seq)
{
    uint32_t first = seq;
    size_t m =
        msg_begin(out, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq++, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
    msg_end(out, m);
    for (const char *const *p = ports; p && *p; p++) {
        /* the element jumps to the port's chain: it goes first */
        m = msg_begin(out, NFT_TYPE(NFT_MSG_DELSETELEM), NLM_F_REQUEST | NLM_F_ACK, seq++,
                      NFPROTO_BRIDGE, 0);
        attr_str(out, NFTA_SET_ELEM_LIST_TABLE, table);
        attr_str(out, NFTA_SET_ELEM_LIST_SET, map);
        size_t list = attr_begin(out, NLA_F_NESTED | NFTA_SET_ELEM_LIST_ELEMENTS);
        size_t elem = attr_begin(out, NLA_F_NESTED | 1 /* NFTA_LIST_ELEM */);
        size_t key = attr_begin(out, NLA_F_NESTED | NFTA_SET_ELEM_KEY);
        char name[IFNAMSIZ] = {0}; /* an ifname key: the name, zero-padded */
        strncpy(name, *p, sizeof(name) - 1);
        attr_put(out, NFTA_DATA_VALUE, name, sizeof(name));
        attr_end(out, key);
        attr_end(out, elem);
        attr_end(out, list);
        msg_end(out, m);
        del_rules_and_chain(out, table, *p, &seq);
    }
    /* last: the ports' chains jumped to it */
    if (chain)
        del_rules_and_chain(out, table, chain, &seq);
    m = msg_begin(out, NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq++, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
    msg_end(out, m);
    return seq - first - 2;
}

/* The string attribute type of the message's nfgenmsg payload, or NULL. */
static const char *find_str(const struct nlmsghdr *h, uint16_t type)
{
    size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));
    while (off + sizeof(struct nlattr) <= h->nlmsg_len) {
        const struct nlattr *a = (const struct nlattr *)((const char *)h + off);
        if (a->nla_len < sizeof(*a) || off + a->nla_len > h->nlmsg_len)
            return NULL;
        const char *s = (const char *)a + NLA_HDRLEN;
        size_t n = a->nla_len - NLA_HDRLEN;
        if ((a->nla_type & NLA_TYPE_MASK) == type)
            return n > 0 && memchr(s, '\0', n) ? s : NULL;
        off += NLA_ALIGN(a->nla_len);
    }
    return NULL;
}

int brig_nfnl_chains_parse(const void *buf, size_t len, const char *table, char ***v)
{
    const char *p = buf;
    while (len >= sizeof(struct nlmsghdr)) {
        const struct nlmsghdr *h = (const struct nlmsghdr *)p;
        if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len)
            return -EBADMSG;
        if (h->nlmsg_type == NLMSG_DONE)
            return 1;
        if (h->nlmsg_type == NLMSG_ERROR) {
            if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
                return -EBADMSG;
            const struct nlmsgerr *e = msg_data(h);
            return e->error < 0 ? e->error : -EBADMSG;
        }
        if (h->nlmsg_type == NFT_TYPE(NFT_MSG_NEWCHAIN) &&
            h->nlmsg_len >= NLMSG_HDRLEN + sizeof(struct nfgenmsg)) {
            const char *t = find_str(h, NFTA_CHAIN_TABLE);
            const char *name = find_str(h, NFTA_CHAIN_NAME);
            if (t && name && strcmp(t, table) == 0)
                brig_strv_push(v, name);
        }
        size_t step = NLMSG_ALIGN(h->nlmsg_len);
        if (step >= len)
            break;
        p += step;
        len -= step;
    }
    return 0;
}

static int nfnl_socket(struct brig_err *err)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    if (fd < 0)
        return brig_err_sys(err, errno, "nftables: netlink socket");
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        close(fd);
        return brig_err_sys(err, e, "nftables: bind a netlink socket");
    }
    return fd;
}

static int send_all(int fd, const struct brig_buf *b, struct brig_err *err)
{
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    ssize_t n = sendto(fd, b->s, b->len, 0, (struct sockaddr *)&sa, sizeof(sa));
    if (n != (ssize_t)b->len)
        return brig_err_sys(err, n < 0 ? errno : EIO, "nftables: send");
    return 0;
}

int brig_nfnl_bridge_chains(const char *table, char ***ret, struct brig_err *err)
{
    /* a dump that the ruleset changed under is asked again */
    for (int attempt = 0;; attempt++) {
        _cleanup_close_ int fd = nfnl_socket(err);
        if (fd < 0)
            return -1;
        struct brig_buf req = {0};
        size_t m = msg_begin(&req, NFT_TYPE(NFT_MSG_GETCHAIN), NLM_F_REQUEST | NLM_F_DUMP, 1,
                             NFPROTO_BRIDGE, 0);
        msg_end(&req, m);
        int r = send_all(fd, &req, err);
        brig_buf_free(&req);
        if (r < 0)
            return -1;
        char **v = brig_xcalloc(1, sizeof(char *));
        char *buf = brig_xmalloc(RECV_BUF);
        bool intr = false;
        for (r = 0; r == 0;) {
            ssize_t n = recv(fd, buf, RECV_BUF, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                r = n < 0 ? -errno : -EIO;
                break;
            }
            size_t off = 0;
            for (const struct nlmsghdr *h; (h = msg_next(buf, (size_t)n, &off));)
                intr |= (h->nlmsg_flags & NLM_F_DUMP_INTR) != 0;
            r = brig_nfnl_chains_parse(buf, (size_t)n, table, &v);
        }
        free(buf);
        if (r == 1 && intr && attempt < 5) {
            brig_strv_free(v);
            continue;
        }
        if (r < 0) {
            brig_strv_free(v);
            /* no nftables in this kernel, or no table of this family: nothing there */
            if (r == -ENOENT || r == -EPROTONOSUPPORT || r == -EAFNOSUPPORT) {
                *ret = brig_xcalloc(1, sizeof(char *));
                return 0;
            }
            return brig_err_sys(err, -r, "nftables: list the chains of bridge %s", table);
        }
        *ret = v;
        return 0;
    }
}

int brig_nfnl_commit(const struct brig_buf *batch, unsigned nmsgs, struct brig_err *err)
{
    _cleanup_close_ int fd = nfnl_socket(err);
    if (fd < 0)
        return -1;
    if (send_all(fd, batch, err) < 0)
        return -1;
    _cleanup_free_ char *buf = brig_xmalloc(RECV_BUF);
    int first_error = 0;
    for (unsigned acks = 0; acks < nmsgs;) {
        ssize_t n = recv(fd, buf, RECV_BUF, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return brig_err_sys(err, n < 0 ? errno : EIO, "nftables: receive");
        size_t off = 0;
        for (const struct nlmsghdr *h; (h = msg_next(buf, (size_t)n, &off));) {
            if (h->nlmsg_type != NLMSG_ERROR)
                continue;
            if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
                return brig_err_set(err, BRIG_EFAIL, "nftables: a malformed answer");
            const struct nlmsgerr *e = msg_data(h);
            acks++;
            if (e->error < 0 && !first_error)
                first_error = -e->error;
        }
        /* the transaction failed as a whole: the kernel answers only the failed messages */
        if (first_error) {
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            if (poll(&pfd, 1, 0) <= 0)
                break;
        }
    }
    if (first_error)
        return brig_err_sys(err, first_error, "nftables: transaction");
    return 0;
}

static void attr_u32(struct brig_buf *b, uint16_t type, uint32_t v)
{
    uint32_t be = htonl(v);
    attr_put(b, type, &be, sizeof(be));
}

/* Start a message of the transaction that asks for an acknowledgement. */
static size_t tx_msg(struct brig_nfnl_tx *tx, uint8_t type, uint16_t flags)
{
    tx->nmsgs++;
    return msg_begin(&tx->b, NFT_TYPE(type), NLM_F_REQUEST | NLM_F_ACK | flags, tx->seq++,
                     NFPROTO_BRIDGE, 0);
}

void brig_nfnl_tx_begin(struct brig_nfnl_tx *tx, uint32_t seq)
{
    *tx = (struct brig_nfnl_tx){.seq = seq};
    size_t m = msg_begin(&tx->b, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, tx->seq++, AF_UNSPEC,
                         NFNL_SUBSYS_NFTABLES);
    msg_end(&tx->b, m);
}

void brig_nfnl_tx_end(struct brig_nfnl_tx *tx)
{
    size_t m = msg_begin(&tx->b, NFNL_MSG_BATCH_END, NLM_F_REQUEST, tx->seq++, AF_UNSPEC,
                         NFNL_SUBSYS_NFTABLES);
    msg_end(&tx->b, m);
}

void brig_nfnl_tx_free(struct brig_nfnl_tx *tx)
{
    brig_buf_free(&tx->b);
}

void brig_nfnl_table(struct brig_nfnl_tx *tx, const char *table)
{
    size_t m = tx_msg(tx, NFT_MSG_NEWTABLE, NLM_F_CREATE);
    attr_str(&tx->b, NFTA_TABLE_NAME, table);
    attr_u32(&tx->b, NFTA_TABLE_FLAGS, 0);
    msg_end(&tx->b, m);
}

void brig_nfnl_chain(struct brig_nfnl_tx *tx, const char *table, const char *chain, int hook,
                     int32_t prio)
{
    size_t m = tx_msg(tx, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
    attr_str(&tx->b, NFTA_CHAIN_TABLE, table);
    attr_str(&tx->b, NFTA_CHAIN_NAME, chain);
    if (hook >= 0) {
        attr_str(&tx->b, NFTA_CHAIN_TYPE, "filter");
        attr_u32(&tx->b, NFTA_CHAIN_POLICY, NF_ACCEPT);
        size_t h = attr_begin(&tx->b, NLA_F_NESTED | NFTA_CHAIN_HOOK);
        attr_u32(&tx->b, NFTA_HOOK_HOOKNUM, (uint32_t)hook);
        attr_u32(&tx->b, NFTA_HOOK_PRIORITY, (uint32_t)prio);
        attr_end(&tx->b, h);
    }
    msg_end(&tx->b, m);
}

void brig_nfnl_flush(struct brig_nfnl_tx *tx, const char *table, const char *chain)
{
    size_t m = tx_msg(tx, NFT_MSG_DELRULE, 0);
    attr_str(&tx->b, NFTA_RULE_TABLE, table);
    attr_str(&tx->b, NFTA_RULE_CHAIN, chain);
    msg_end(&tx->b, m);
}

uint32_t brig_nfnl_set(struct brig_nfnl_tx *tx, const char *table, const struct brig_nfnl_set *s)
{
    struct brig_buf *b = &tx->b;
    size_t m = tx_msg(tx, NFT_MSG_NEWSET, NLM_F_CREATE);
    attr_str(b, NFTA_SET_TABLE, table);
    attr_str(b, NFTA_SET_NAME, s->name);
    attr_u32(b, NFTA_SET_FLAGS, s->flags);
    attr_u32(b, NFTA_SET_KEY_TYPE, s->key_type);
    attr_u32(b, NFTA_SET_KEY_LEN, s->key_len);
    if (s->flags & NFT_SET_MAP) {
        attr_u32(b, NFTA_SET_DATA_TYPE, s->data_type);
        attr_u32(b, NFTA_SET_DATA_LEN, 0);
    }
    attr_u32(b, NFTA_SET_ID, ++tx->set_id);
    if (s->size) {
        size_t d = attr_begin(b, NLA_F_NESTED | NFTA_SET_DESC);
        attr_u32(b, NFTA_SET_DESC_SIZE, s->size);
        attr_end(b, d);
    }
    if (s->udata_len)
        attr_put(b, NFTA_SET_USERDATA, s->udata, s->udata_len);
    msg_end(b, m);
    return tx->set_id;
}

void brig_nfnl_elems_begin(struct brig_nfnl_tx *tx, const char *table, const char *set, uint32_t id)
{
    tx->msg = tx_msg(tx, NFT_MSG_NEWSETELEM, NLM_F_CREATE);
    attr_str(&tx->b, NFTA_SET_ELEM_LIST_TABLE, table);
    attr_str(&tx->b, NFTA_SET_ELEM_LIST_SET, set);
    if (id)
        attr_u32(&tx->b, NFTA_SET_ELEM_LIST_SET_ID, id);
    tx->list = attr_begin(&tx->b, NLA_F_NESTED | NFTA_SET_ELEM_LIST_ELEMENTS);
    tx->nelems = 0;
}

/* A verdict, as an immediate's data or a map element's. */
static void verdict_data(struct brig_buf *b, uint16_t type, int32_t code, const char *chain)
{
    size_t d = attr_begin(b, NLA_F_NESTED | type);
    size_t v = attr_begin(b, NLA_F_NESTED | NFTA_DATA_VERDICT);
    attr_u32(b, NFTA_VERDICT_CODE, (uint32_t)code);
    if (chain)
        attr_str(b, NFTA_VERDICT_CHAIN, chain);
    attr_end(b, v);
    attr_end(b, d);
}

void brig_nfnl_elem(struct brig_nfnl_tx *tx, const void *key, size_t len, uint32_t flags,
                    const char *jump, const void *udata, size_t udata_len)
{
    struct brig_buf *b = &tx->b;
    size_t e = attr_begin(b, NLA_F_NESTED | (uint16_t)++tx->nelems);
    if (flags)
        attr_u32(b, NFTA_SET_ELEM_FLAGS, flags);
    size_t k = attr_begin(b, NLA_F_NESTED | NFTA_SET_ELEM_KEY);
    attr_put(b, NFTA_DATA_VALUE, key, len);
    attr_end(b, k);
    if (jump)
        verdict_data(b, NFTA_SET_ELEM_DATA, NFT_JUMP, jump);
    if (udata_len)
        attr_put(b, NFTA_SET_ELEM_USERDATA, udata, udata_len);
    attr_end(b, e);
}

void brig_nfnl_elems_end(struct brig_nfnl_tx *tx)
{
    attr_end(&tx->b, tx->list);
    msg_end(&tx->b, tx->msg);
}

void brig_nfnl_rule_begin(struct brig_nfnl_tx *tx, const char *table, const char *chain)
{
    tx->msg = tx_msg(tx, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
    attr_str(&tx->b, NFTA_RULE_TABLE, table);
    attr_str(&tx->b, NFTA_RULE_CHAIN, chain);
    tx->list = attr_begin(&tx->b, NLA_F_NESTED | NFTA_RULE_EXPRESSIONS);
}

void brig_nfnl_rule_end(struct brig_nfnl_tx *tx)
{
    attr_end(&tx->b, tx->list);
    msg_end(&tx->b, tx->msg);
}

/* Start an expression of the open rule; returns the offsets to close. */
static void expr_begin(struct brig_nfnl_tx *tx, const char *name, size_t at[2])
{
    at[0] = attr_begin(&tx->b, NLA_F_NESTED | NFTA_LIST_ELEM);
    attr_str(&tx->b, NFTA_EXPR_NAME, name);
    at[1] = attr_begin(&tx->b, NLA_F_NESTED | NFTA_EXPR_DATA);
}

static void expr_end(struct brig_nfnl_tx *tx, const size_t at[2])
{
    attr_end(&tx->b, at[1]);
    attr_end(&tx->b, at[0]);
}

static void data_value(struct brig_buf *b, uint16_t type, const void *data, size_t len)
{
    size_t d = attr_begin(b, NLA_F_NESTED | type);
    attr_put(b, NFTA_DATA_VALUE, data, len);
    attr_end(b, d);
}

void brig_nfnl_payload(struct brig_nfnl_tx *tx, uint32_t base, uint32_t offset, uint32_t len)
{
    size_t at[2];
    expr_begin(tx, "payload", at);
    attr_u32(&tx->b, NFTA_PAYLOAD_DREG, NFT_REG_1);
    attr_u32(&tx->b, NFTA_PAYLOAD_BASE, base);
    attr_u32(&tx->b, NFTA_PAYLOAD_OFFSET, offset);
    attr_u32(&tx->b, NFTA_PAYLOAD_LEN, len);
    expr_end(tx, at);
}

void brig_nfnl_meta(struct brig_nfnl_tx *tx, uint32_t key)
{
    size_t at[2];
    expr_begin(tx, "meta", at);
    attr_u32(&tx->b, NFTA_META_KEY, key);
    attr_u32(&tx->b, NFTA_META_DREG, NFT_REG_1);
    expr_end(tx, at);
}

void brig_nfnl_cmp(struct brig_nfnl_tx *tx, uint32_t op, const void *data, size_t len)
{
    size_t at[2];
    expr_begin(tx, "cmp", at);
    attr_u32(&tx->b, NFTA_CMP_SREG, NFT_REG_1);
    attr_u32(&tx->b, NFTA_CMP_OP, op);
    data_value(&tx->b, NFTA_CMP_DATA, data, len);
    expr_end(tx, at);
}

void brig_nfnl_mask(struct brig_nfnl_tx *tx, const void *mask, size_t len, bool op)
{
    assert(len <= 16);
    static const uint8_t zero[16] = {0};
    size_t at[2];
    expr_begin(tx, "bitwise", at);
    attr_u32(&tx->b, NFTA_BITWISE_SREG, NFT_REG_1);
    attr_u32(&tx->b, NFTA_BITWISE_DREG, NFT_REG_1);
    if (op)
        attr_u32(&tx->b, NFTA_BITWISE_OP, NFT_BITWISE_BOOL);
    attr_u32(&tx->b, NFTA_BITWISE_LEN, (uint32_t)len);
    data_value(&tx->b, NFTA_BITWISE_MASK, mask, len);
    data_value(&tx->b, NFTA_BITWISE_XOR, zero, len);
    expr_end(tx, at);
}

void brig_nfnl_lookup(struct brig_nfnl_tx *tx, const char *set, uint32_t id, bool inv, bool verdict)
{
    size_t at[2];
    expr_begin(tx, "lookup", at);
    attr_u32(&tx->b, NFTA_LOOKUP_SREG, NFT_REG_1);
    if (verdict)
        attr_u32(&tx->b, NFTA_LOOKUP_DREG, NFT_REG_VERDICT);
    attr_str(&tx->b, NFTA_LOOKUP_SET, set);
    if (id)
        attr_u32(&tx->b, NFTA_LOOKUP_SET_ID, id);
    if (inv)
        attr_u32(&tx->b, NFTA_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
    expr_end(tx, at);
}

void brig_nfnl_verdict(struct brig_nfnl_tx *tx, int32_t code, const char *chain)
{
    size_t at[2];
    expr_begin(tx, "immediate", at);
    attr_u32(&tx->b, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
    verdict_data(&tx->b, NFTA_IMMEDIATE_DATA, code, chain);
    expr_end(tx, at);
}
