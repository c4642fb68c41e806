/*
 * nofsync.c: an LD_PRELOAD shim for bench/ca.sh that makes fsync,
 * fdatasync and syncfs return at once.  It shows how much of an issue
 * is durability; ctxmgr itself never runs without syncing.
 */
#include <unistd.h>

int
fsync(int fd)
{
	(void)fd;
	return 0;
}

int
fdatasync(int fd)
{
	(void)fd;
	return 0;
}

int
syncfs(int fd)
{
	(void)fd;
	return 0;
}
