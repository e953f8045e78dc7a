/* libnftables, opened with dlopen at the first use: NAT (nat.c) runs its
 * commands through it, once per bridge. Port filters speak netlink (nfnl.c). */
#ifndef BRIG_LINUX_NFT_H
#define BRIG_LINUX_NFT_H

#include <stdbool.h>

#include "core/err.h"

struct nft_ctx;

/* A context with output and errors buffered; NULL with err set when libnftables
 * cannot be loaded. */
struct nft_ctx *brig_nft_open(struct brig_err *err);
void brig_nft_closep(struct nft_ctx **c);
#define _cleanup_nft_ __attribute__((cleanup(brig_nft_closep)))
/* Run cmd (one transaction); the first line of nft's error text goes into err. */
int brig_nft_run(struct nft_ctx *c, const char *cmd, struct brig_err *err);
/* The same, with rule handles in the output. */
int brig_nft_run_handles(struct nft_ctx *c, const char *cmd, struct brig_err *err);
/* The output of the last command ("" when none). */
const char *brig_nft_output(struct nft_ctx *c);
/* Set *ret to whether table family name exists. */
int brig_nft_table_exists(struct nft_ctx *c, const char *family, const char *name, bool *ret,
                          struct brig_err *err);

#endif
