/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "vireod_config.h"

#define PFX "configuration file syntax error: test.conf:"

static char *tmpdir;

static void
assert_defaults(const VireodConfig *c)
{
    g_assert_null(c->unix_sock_dir);
    g_assert_null(c->unix_sock_group);
    g_assert_cmpuint(c->unix_sock_rw_perms, ==, 0700);
    g_assert_cmpuint(c->unix_sock_ro_perms, ==, 0777);
    g_assert_false(c->libvirt_compat_sockets);
    g_assert_cmpint(c->log_level, ==, 3);
    g_assert_null(c->log_filters);
    g_assert_null(c->log_outputs);
    g_assert_cmpuint(c->max_clients, ==, 5000);
    g_assert_cmpuint(c->max_anonymous_clients, ==, 20);
    g_assert_cmpuint(c->min_workers, ==, 5);
    g_assert_cmpuint(c->max_workers, ==, 20);
    g_assert_cmpuint(c->max_client_requests, ==, 5);
    g_assert_cmpint(c->keepalive_interval, ==, 5);
    g_assert_cmpuint(c->keepalive_count, ==, 5);
    g_assert_cmpuint(c->max_message_size_mib, ==, 32);
}

static void
test_defaults(void)
{
    g_autoptr(VireodConfig) cfg = vireod_config_new();

    assert_defaults(cfg);
    g_assert_cmpint(vireod_config_load_string(cfg, "test.conf", ""), ==, 0);
    assert_defaults(cfg);
    g_assert_cmpint(vireod_config_load_string(cfg, "test.conf", "# only a comment\n\n   \n"), ==, 0);
    assert_defaults(cfg);
}

static void
test_every_key(void)
{
    g_autoptr(VireodConfig) cfg = vireod_config_new();
    const char *text =
        "unix_sock_dir = \"/srv/vireo/run\"\n"
        "unix_sock_group = \"libvirt\"\n"
        "unix_sock_rw_perms = \"0770\"\n"
        "unix_sock_ro_perms = \"0750\"\n"
        "libvirt_compat_sockets = 1\n"
        "log_level = 1\n"
        "log_filters = \"1:rpc 3:util.file\"\n"
        "log_outputs = \"3:stderr 1:file:/var/log/vireo/vireod.log\"\n"
        "max_clients = 100\n"
        "max_anonymous_clients = 10\n"
        "min_workers = 2\n"
        "max_workers = 8\n"
        "max_client_requests = 16\n"
        "keepalive_interval = -1\n"
        "keepalive_count = 0\n"
        "max_message_size_mib = 16\n";

    g_assert_cmpint(vireod_config_load_string(cfg, "test.conf", text), ==, 0);
    g_assert_cmpstr(cfg->unix_sock_dir, ==, "/srv/vireo/run");
    g_assert_cmpstr(cfg->unix_sock_group, ==, "libvirt");
    g_assert_cmpuint(cfg->unix_sock_rw_perms, ==, 0770);
    g_assert_cmpuint(cfg->unix_sock_ro_perms, ==, 0750);
    g_assert_true(cfg->libvirt_compat_sockets);
    g_assert_cmpint(cfg->log_level, ==, 1);
    g_assert_cmpstr(cfg->log_filters, ==, "1:rpc 3:util.file");
    g_assert_cmpstr(cfg->log_outputs, ==, "3:stderr 1:file:/var/log/vireo/vireod.log");
    g_assert_cmpuint(cfg->max_clients, ==, 100);
    g_assert_cmpuint(cfg->max_anonymous_clients, ==, 10);
    g_assert_cmpuint(cfg->min_workers, ==, 2);
    g_assert_cmpuint(cfg->max_workers, ==, 8);
    g_assert_cmpuint(cfg->max_client_requests, ==, 16);
    g_assert_cmpint(cfg->keepalive_interval, ==, -1);
    g_assert_cmpuint(cfg->keepalive_count, ==, 0);
    g_assert_cmpuint(cfg->max_message_size_mib, ==, 16);

    /* a second file applies on top of the first */
    g_assert_cmpint(vireod_config_load_string(cfg, "test.conf",
                                              "unix_sock_group = \"kvm\"\nlibvirt_compat_sockets = 0\n"), ==, 0);
    g_assert_cmpstr(cfg->unix_sock_group, ==, "kvm");
    g_assert_false(cfg->libvirt_compat_sockets);
    g_assert_cmpstr(cfg->unix_sock_dir, ==, "/srv/vireo/run");
    g_assert_cmpuint(cfg->max_clients, ==, 100);
}

static void
test_perms_forms(void)
{
    static const struct {
        const char *value;
        unsigned int mode;
    } cases[] = {
        { "\"0770\"", 0770 },
        { "0770", 0770 },
        { "770", 0770 },
        { "'0660'", 0660 },
        { "\"0\"", 0 },
        { "\"07777\"", 07777 },
        { "2775", 02775 },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(VireodConfig) cfg = vireod_config_new();
        g_autofree char *text = g_strdup_printf("unix_sock_ro_perms = %s\n", cases[i].value);

        g_assert_cmpint(vireod_config_load_string(cfg, "test.conf", text), ==, 0);
        g_assert_cmpuint(cfg->unix_sock_ro_perms, ==, cases[i].mode);
    }
}

static void
test_syntax_variants(void)
{
    g_autoptr(VireodConfig) cfg = vireod_config_new();
    const char *text =
        "# leading comment\r\n"
        "   max_clients=7   # trailing comment\r\n"
        "\tunix_sock_group = 'kvm' ;\n"
        "log_filters = \"\"\n"
        "access_drivers = [\n"
        "    \"polkit\",   # a comment inside a list\n"
        "\n"
        "    \"nop\",\n"
        "]\n"
        "tls_allowed_dn_list = []\n"
        "listen_tcp = 1;\n"
        "auth_unix_rw = \"none\"\n"
        "keepalive_interval = +10\n"
        "max_anonymous_clients = 007";

    g_assert_cmpint(vireod_config_load_string(cfg, "test.conf", text), ==, 0);
    g_assert_cmpuint(cfg->max_clients, ==, 7);
    g_assert_cmpstr(cfg->unix_sock_group, ==, "kvm");
    g_assert_cmpstr(cfg->log_filters, ==, "");
    g_assert_cmpint(cfg->keepalive_interval, ==, 10);
    g_assert_cmpuint(cfg->max_anonymous_clients, ==, 7);     /* decimal */
}

static void
test_ignored_keys_warn(void)
{
    g_autoptr(VireodConfig) cfg = vireod_config_new();
    g_autofree char *logpath = g_build_filename(tmpdir, "warn.log", NULL);
    g_autofree char *spec = g_strdup_printf("1:file:%s", logpath);
    g_autofree char *log = NULL;
    const char *text =
        "listen_tls = 0\n"
        "\n"
        "auth_unix_ro = \"none\"\n"
        "max_clients = 100\n";

    vireo_log_reset();
    g_assert_cmpint(vireo_log_set_outputs(spec), ==, 0);
    g_assert_cmpint(vireod_config_load_string(cfg, "test.conf", text), ==, 0);
    g_assert_cmpuint(cfg->max_clients, ==, 100);
    vireo_log_reset();
    g_assert_cmpint(vireo_log_set_outputs("1:file:/dev/null"), ==, 0);

    g_assert_true(g_file_get_contents(logpath, &log, NULL, NULL));
    g_assert_nonnull(strstr(log, ": warning : daemon.config : conf_setting:"));
    g_assert_nonnull(strstr(log, "test.conf:1: ignoring 'listen_tls': it is a libvirtd setting that vireod does not implement\n"));
    g_assert_nonnull(strstr(log, "test.conf:3: ignoring 'auth_unix_ro': it is a libvirtd setting that vireod does not implement\n"));
    g_assert_null(strstr(log, "max_clients"));
    g_unlink(logpath);
}

static const struct {
    const char *text;
    const char *message;    /* after "configuration file syntax error: test.conf:" */
} bad_cases[] = {
    /* types */
    { "\n\nmax_clients = \"lots\"\n", "3: expected an integer for 'max_clients', got \"lots\"" },
    { "# x\nmax_clients = [ 1 ]\n", "2: expected an integer for 'max_clients', got a list" },
    { "max_clients = lots\n", "1: expected an integer, a \"string\" or a [ list ] for 'max_clients', got 'lots'" },
    { "max_clients = 1.5\n", "1: expected an integer, a \"string\" or a [ list ] for 'max_clients', got '1.5'" },
    { "max_clients = 0x10\n", "1: expected an integer, a \"string\" or a [ list ] for 'max_clients', got '0x10'" },
    { "keepalive_interval = \"5\"\n", "1: expected an integer for 'keepalive_interval', got \"5\"" },
    { "libvirt_compat_sockets = yes\n", "1: expected an integer, a \"string\" or a [ list ] for 'libvirt_compat_sockets', got 'yes' (booleans are written 0 or 1)" },
    { "libvirt_compat_sockets = 2\n", "1: expected 0 or 1 for 'libvirt_compat_sockets', got 2" },
    { "libvirt_compat_sockets = \"1\"\n", "1: expected 0 or 1 for 'libvirt_compat_sockets', got \"1\"" },
    { "libvirt_compat_sockets = -1\n", "1: expected 0 or 1 for 'libvirt_compat_sockets', got -1" },
    { "unix_sock_dir = 5\n", "1: expected a \"string\" for 'unix_sock_dir', got 5" },
    { "unix_sock_group = [ \"a\" ]\n", "1: expected a \"string\" for 'unix_sock_group', got a list" },
    { "log_filters = 1\n", "1: expected a \"string\" for 'log_filters', got 1" },
    { "log_outputs = 3\n", "1: expected a \"string\" for 'log_outputs', got 3" },
    { "unix_sock_rw_perms = [ \"0700\" ]\n", "1: expected octal permissions such as \"0770\" (at most 07777) for 'unix_sock_rw_perms', got a list" },
    { "log_level = \"3\"\n", "1: 'log_level' must be 1 (debug), 2 (info), 3 (warning) or 4 (error), got \"3\"" },
    /* values */
    { "unix_sock_dir = \"run/vireo\"\n", "1: 'unix_sock_dir' must be an absolute path, got \"run/vireo\"" },
    { "unix_sock_dir = \"\"\n", "1: 'unix_sock_dir' must be an absolute path, got \"\"" },
    { "unix_sock_group = \"\"\n", "1: 'unix_sock_group' must not be empty; remove the line to get the default" },
    { "unix_sock_rw_perms = \"0790\"\n", "1: expected octal permissions such as \"0770\" (at most 07777) for 'unix_sock_rw_perms', got \"0790\"" },
    { "unix_sock_ro_perms = 017777\n", "1: expected octal permissions such as \"0770\" (at most 07777) for 'unix_sock_ro_perms', got 017777" },
    { "unix_sock_ro_perms = -1\n", "1: expected octal permissions such as \"0770\" (at most 07777) for 'unix_sock_ro_perms', got -1" },
    { "unix_sock_ro_perms = \"\"\n", "1: expected octal permissions such as \"0770\" (at most 07777) for 'unix_sock_ro_perms', got \"\"" },
    { "log_level = 0\n", "1: 'log_level' must be 1 (debug), 2 (info), 3 (warning) or 4 (error), got 0" },
    { "log_level = 5\n", "1: 'log_level' must be 1 (debug), 2 (info), 3 (warning) or 4 (error), got 5" },
    { "log_filters = \"1:rpc x:util\"\n", "1: invalid value for 'log_filters': invalid log filter 'x:util' in '1:rpc x:util': the level must be 1 (debug), 2 (info), 3 (warning) or 4 (error)" },
    { "log_outputs = \"1:syslog:vireod\"\n", "1: invalid value for 'log_outputs': invalid log output '1:syslog:vireod' in '1:syslog:vireod': vireod supports only 'stderr' and 'file:/path' outputs" },
    { "log_outputs = \"1:file:vireod.log\"\n", "1: invalid value for 'log_outputs': invalid log output '1:file:vireod.log' in '1:file:vireod.log': the file path must be absolute" },
    { "max_clients = 0\n", "1: 'max_clients' must be between 1 and 1000000, got 0" },
    { "max_clients = -5\n", "1: 'max_clients' must be between 1 and 1000000, got -5" },
    { "max_clients = 99999999999999999999999\n", "1: 'max_clients' must be between 1 and 1000000, got 99999999999999999999999" },
    { "max_anonymous_clients = 0\n", "1: 'max_anonymous_clients' must be between 1 and 1000000, got 0" },
    { "min_workers = 0\n", "1: 'min_workers' must be between 1 and 10000, got 0" },
    { "max_workers = 10001\n", "1: 'max_workers' must be between 1 and 10000, got 10001" },
    { "max_client_requests = 0\n", "1: 'max_client_requests' must be between 1 and 10000, got 0" },
    { "keepalive_interval = 0\n", "1: 'keepalive_interval' must be -1 (disabled) or a number of seconds between 1 and 3600, got 0" },
    { "keepalive_interval = -2\n", "1: 'keepalive_interval' must be between -1 and 3600, got -2" },
    { "keepalive_count = 1001\n", "1: 'keepalive_count' must be between 0 and 1000, got 1001" },
    { "max_message_size_mib = 64\n", "1: 'max_message_size_mib' must be between 1 and 32, got 64" },
    { "max_message_size_mib = 0\n", "1: 'max_message_size_mib' must be between 1 and 32, got 0" },
    /* settings that only make sense together */
    { "min_workers = 10\nmax_workers = 6\n", "2: 'min_workers' (10) must not be greater than 'max_workers' (6)" },
    { "max_workers = 4\n# a comment\n", "1: 'min_workers' (5) must not be greater than 'max_workers' (4)" },
    { "max_anonymous_clients = 30\n\nmax_clients = 25\n", "3: 'max_anonymous_clients' (30) must not be greater than 'max_clients' (25)" },
    /* keys */
    { "max_clients = 5\nmax_clients = 6\n", "2: 'max_clients' is already set on line 1; set it once" },
    { "max_client = 5\n", "1: unknown setting 'max_client'; did you mean 'max_clients'?" },
    { "\nunix_sock_perms = \"0700\"\n", "2: unknown setting 'unix_sock_perms'; did you mean 'unix_sock_rw_perms'?" },
    { "listen_tpc = 1\n", "1: unknown setting 'listen_tpc'; did you mean 'listen_tcp'?" },
    { "frobnicate = 1\n", "1: unknown setting 'frobnicate'" },
    /* syntax */
    { "max_clients 5\n", "1: expected '=' after 'max_clients', got '5'" },
    { "max_clients\n", "1: expected '=' after 'max_clients', got the end of the line" },
    { "max_clients =", "1: missing value for 'max_clients': expected an integer, a \"string\" or a [ list ], got the end of the file" },
    { "max_clients =   # nothing\n", "1: missing value for 'max_clients': expected an integer, a \"string\" or a [ list ], got '#'" },
    { "max_clients =\n5\n", "1: missing value for 'max_clients': expected an integer, a \"string\" or a [ list ], got the end of the line" },
    { "unix_sock_group = \"libvirt\nmax_clients = 5\n", "1: unterminated string in the value of 'unix_sock_group' (strings end on the line they start, with a \")" },
    { "unix_sock_group = 'libvirt", "1: unterminated string in the value of 'unix_sock_group' (strings end on the line they start, with a ')" },
    { "max_clients = 5 6\n", "1: unexpected '6' after the value of 'max_clients'; write one setting per line" },
    { "max_clients = 5 max_workers = 6\n", "1: unexpected 'm' after the value of 'max_clients'; write one setting per line" },
    { "max_clients = 5;;\n", "1: unexpected ';' after the value of 'max_clients'; write one setting per line" },
    { "access_drivers = [ \"polkit\"\n\n", "1: unterminated list in the value of 'access_drivers': missing ']'" },
    { "access_drivers = [\n \"a\",\n", "1: unterminated list in the value of 'access_drivers': missing ']'" },
    { "access_drivers = [ \"a\" \"b\" ]\n", "1: expected ',' or ']' in the list for 'access_drivers', got '\"'" },
    { "access_drivers = [ \"a\",\n\n  , ]\n", "3: missing value for 'access_drivers': expected an integer, a \"string\" or a [ list ], got ','" },
    { "access_drivers = [ [ \"a\" ] ]\n", "1: a list inside a list is not allowed in the value of 'access_drivers'" },
    { "= 5\n", "1: expected a setting name, got '='" },
    { "\n\n5 = 5\n", "3: expected a setting name, got '5'" },
    { "max-clients = 5\n", "1: expected '=' after 'max', got '-'" },
    { "max_clients = \x01\n", "1: missing value for 'max_clients': expected an integer, a \"string\" or a [ list ], got byte 0x01" },
    /* line numbers count the lines inside lists */
    { "access_drivers = [\n  \"a\",\n  \"b\",\n]\nmax_clients = x\n", "5: expected an integer, a \"string\" or a [ list ] for 'max_clients', got 'x'" },
};

static void
test_rejected(void)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        g_autoptr(VireodConfig) cfg = vireod_config_new();
        g_autofree char *expected = g_strdup_printf(PFX "%s", bad_cases[i].message);
        const VireoError *err;

        /* settings from an earlier file, which a failed load must keep */
        g_assert_cmpint(vireod_config_load_string(cfg, "first.conf",
                                                  "max_clients = 77\nunix_sock_group = \"kvm\"\n"
                                                  "log_filters = \"1:rpc\"\n"), ==, 0);
        vireo_error_reset();
        if (vireod_config_load_string(cfg, "test.conf", bad_cases[i].text) != -1)
            g_error("case %zu accepted: %s", i, bad_cases[i].text);
        err = vireo_error_last();
        g_assert_nonnull(err);
        g_assert_cmpint(err->code, ==, VIR_ERR_CONF_SYNTAX);
        g_assert_cmpint(err->domain, ==, VIR_FROM_CONF);
        if (g_strcmp0(err->message, expected) != 0)
            g_error("case %zu (%s):\n  expected: %s\n  got:      %s",
                    i, bad_cases[i].text, expected, err->message);

        g_assert_cmpuint(cfg->max_clients, ==, 77);
        g_assert_cmpstr(cfg->unix_sock_group, ==, "kvm");
        g_assert_cmpstr(cfg->log_filters, ==, "1:rpc");
        g_assert_null(cfg->unix_sock_dir);
        g_assert_cmpuint(cfg->max_workers, ==, 20);
        g_assert_cmpint(cfg->log_level, ==, 3);
        vireo_error_reset();
    }
}

static void
test_load_file(void)
{
    g_autoptr(VireodConfig) cfg = vireod_config_new();
    g_autofree char *path = g_build_filename(tmpdir, "vireod.conf", NULL);
    g_autofree char *missing = g_build_filename(tmpdir, "missing.conf", NULL);
    g_autofree char *expected = NULL;
    static const char nul_text[] = "max_clients = 5\n\0max_workers = 6\n";

    g_assert_true(g_file_set_contents(path, "max_clients = 90\n\nmax_workers = \"many\"\n", -1, NULL));
    g_assert_cmpint(vireod_config_load_file(cfg, path), ==, -1);
    expected = g_strdup_printf("configuration file syntax error: %s:3: expected an integer for 'max_workers', got \"many\"", path);
    g_assert_cmpstr(vireo_error_last()->message, ==, expected);
    g_assert_cmpuint(cfg->max_clients, ==, 5000);

    g_assert_true(g_file_set_contents(path, "max_clients = 90\n", -1, NULL));
    g_assert_cmpint(vireod_config_load_file(cfg, path), ==, 0);
    g_assert_cmpuint(cfg->max_clients, ==, 90);

    g_assert_true(g_file_set_contents(path, nul_text, sizeof(nul_text) - 1, NULL));
    g_assert_cmpint(vireod_config_load_file(cfg, path), ==, -1);
    g_clear_pointer(&expected, g_free);
    expected = g_strdup_printf("configuration file syntax error: %s: contains a NUL byte; a configuration file is text", path);
    g_assert_cmpstr(vireo_error_last()->message, ==, expected);

    vireo_error_reset();
    g_assert_cmpint(vireod_config_load_file(cfg, missing), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(vireo_error_last()->message, missing));
    g_assert_nonnull(strstr(vireo_error_last()->message, "No such file or directory"));
    g_assert_cmpuint(cfg->max_clients, ==, 90);
    vireo_error_reset();
    g_unlink(path);
}

static const char *const all_keys[] = {
    "unix_sock_dir", "unix_sock_group", "unix_sock_rw_perms",
    "unix_sock_ro_perms", "libvirt_compat_sockets", "log_level",
    "log_filters", "log_outputs", "max_clients", "max_anonymous_clients",
    "min_workers", "max_workers", "max_client_requests",
    "keepalive_interval", "keepalive_count", "max_message_size_mib",
};

static void
test_example_file(void)
{
    g_autofree char *path = g_build_filename(VIREO_SRCDIR, "daemon", "vireod.conf", NULL);
    g_autofree char *text = NULL;
    g_autoptr(GString) uncommented = g_string_new(NULL);
    g_auto(GStrv) lines = NULL;
    g_autoptr(VireodConfig) cfg = vireod_config_new();
    g_autoptr(VireodConfig) all = vireod_config_new();
    size_t i;

    /* as shipped: everything commented out, loads cleanly to the defaults */
    g_assert_cmpint(vireod_config_load_file(cfg, path), ==, 0);
    assert_defaults(cfg);

    /* every documented setting, uncommented, parses and shows its default */
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        const char *l = lines[i];

        if (l[0] == '#' && g_ascii_islower(l[1]) && strstr(l, " = "))
            l++;
        g_string_append_printf(uncommented, "%s\n", l);
    }
    for (i = 0; i < G_N_ELEMENTS(all_keys); i++) {
        g_autofree char *needle = g_strdup_printf("\n%s = ", all_keys[i]);

        if (!strstr(uncommented->str, needle))
            g_error("daemon/vireod.conf does not document '%s'", all_keys[i]);
    }
    g_assert_cmpint(vireod_config_load_string(all, "vireod.conf", uncommented->str), ==, 0);
    g_assert_cmpuint(all->unix_sock_rw_perms, ==, cfg->unix_sock_rw_perms);
    g_assert_cmpuint(all->unix_sock_ro_perms, ==, cfg->unix_sock_ro_perms);
    g_assert_cmpint(all->libvirt_compat_sockets, ==, cfg->libvirt_compat_sockets);
    g_assert_cmpint(all->log_level, ==, cfg->log_level);
    g_assert_cmpuint(all->max_clients, ==, cfg->max_clients);
    g_assert_cmpuint(all->max_anonymous_clients, ==, cfg->max_anonymous_clients);
    g_assert_cmpuint(all->min_workers, ==, cfg->min_workers);
    g_assert_cmpuint(all->max_workers, ==, cfg->max_workers);
    g_assert_cmpuint(all->max_client_requests, ==, cfg->max_client_requests);
    g_assert_cmpint(all->keepalive_interval, ==, cfg->keepalive_interval);
    g_assert_cmpuint(all->keepalive_count, ==, cfg->keepalive_count);
    g_assert_cmpuint(all->max_message_size_mib, ==, cfg->max_message_size_mib);
    /* the string examples are valid too */
    g_assert_nonnull(all->unix_sock_dir);
    g_assert_nonnull(all->log_filters);
    g_assert_nonnull(all->log_outputs);
}

int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("vireo-test-config-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    /* the rejected cases report errors, which log; keep the test output
     * readable */
    g_assert_cmpint(vireo_log_set_outputs("1:file:/dev/null"), ==, 0);

    g_test_add_func("/config/defaults", test_defaults);
    g_test_add_func("/config/every-key", test_every_key);
    g_test_add_func("/config/perms-forms", test_perms_forms);
    g_test_add_func("/config/syntax-variants", test_syntax_variants);
    g_test_add_func("/config/ignored-keys-warn", test_ignored_keys_warn);
    g_test_add_func("/config/rejected", test_rejected);
    g_test_add_func("/config/load-file", test_load_file);
    g_test_add_func("/config/example-file", test_example_file);

    ret = g_test_run();
    g_rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
