#!/bin/bash
test_description='the docker CLI uses contexts ctxmgr made, and the reverse'
. "$(dirname "$0")/../lib/test-lib.sh"

use_dockerd

test_expect_success 'docker reaches a real dockerd through a ctxmgr context' '
	ctxmgr create local --host unix://$DOCKERD_SOCK &&
	docker --context local version --format "{{.Server.Version}}" >out &&
	test -s out &&
	ctxmgr use local &&
	docker images --format "{{.Repository}}" >out &&
	test_grep ctxmgr-test/busybox out
'

test_expect_success 'docker ssh:// transport works against the test sshd' '
	start_sshd box &&
	docker context create viassh --docker host=ssh://box &&
	docker --context viassh version --format "{{.Server.Version}}" >out &&
	test -s out
'
test_done
