// SPDX-License-Identifier: GPL-2.0
/*
 * test_launch.c - a launched command: held until let go, its exec error,
 * its exit status as a shell gives it, dropped or killed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "trace/launch.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })

/* Reap as the trace loop does, for at most 5 s. */
static void wait_exit(struct launch *c)
{
	for (int i = 0; i < 500 && !c->exited; i++) {
		launch_reap(c);
		if (!c->exited)
			usleep(10000);
	}
	assert_true(c->exited);
}

static void test_held_until_released(void **state)
{
	struct launch c = { .pid = -1 };

	assert_int_equal(launch_spawn_held(&c, ARGV("sh", "-c", "exit 3"), false, -1), 0);
	assert_true(c.pid > 0);
	usleep(20000);
	launch_reap(&c);
	assert_false(c.exited); /* still waiting on the pipe */
	assert_int_equal(launch_release(&c), 0);
	assert_true(c.started);
	wait_exit(&c);
	assert_int_equal(launch_exit_status(&c), 3);
}

static void test_exec_error(void **state)
{
	struct launch c = { .pid = -1 };

	assert_int_equal(launch_spawn_held(&c, ARGV("/nonexistent/program"), false, -1), 0);
	assert_int_equal(launch_release(&c), -ENOENT);
	assert_false(c.started);
	assert_int_equal(waitpid(c.pid, NULL, 0), c.pid);
}

static void test_drop(void **state)
{
	struct launch c = { .pid = -1 };

	assert_int_equal(launch_spawn_held(&c, ARGV("true"), false, -1), 0);
	launch_drop(&c);
	assert_true(c.exited);
	assert_false(c.started);
	assert_int_equal(kill(c.pid, 0), -1); /* reaped */
}

static void test_kill(void **state)
{
	struct launch c = { .pid = -1 };

	assert_int_equal(launch_spawn_held(&c, ARGV("sleep", "30"), false, -1), 0);
	assert_int_equal(launch_release(&c), 0);
	launch_kill(&c);
	assert_true(c.exited);
	assert_int_equal(launch_exit_status(&c), 128 + SIGKILL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_held_until_released),
		cmocka_unit_test(test_exec_error),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_kill),
	};

	return cmocka_run_group_tests_name("launch", tests, NULL, NULL);
}
