# SPDX-License-Identifier: GPL-2.0
"""The man page (docs/shmwatch.8) and the bash completion
(docs/completion/shmwatch.bash) against what shmwatch itself says: the
page renders without a warning; every option that a sub-command's --help
prints is in that sub-command's part of OPTIONS (written with \\-), and
the page describes none that --help does not print; every exit status
--help names is in that sub-command's part of EXIT STATUS; and the
completion offers exactly the options --help prints, and the values,
files, pids, users and commands each place takes.  No BPF is loaded:
these run anywhere shmwatch is built, root or not.  man (man-db), groff
(groff-base) and the bash-completion package must be installed: a
missing one fails, it does not skip."""
import os
import pwd
import re
import shlex
import shutil
import subprocess
import tempfile
import unittest

from common import ROOT, SHMWATCH

MANPAGE = os.path.join(ROOT, "docs", "shmwatch.8")
COMPLETION = os.path.join(ROOT, "docs", "completion", "shmwatch.bash")
BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"

# Each sub-command: its arguments before --help, and the title of its
# subsection in OPTIONS and in EXIT STATUS.
SUBCOMMANDS = {
    "trace": ([], "Tracing"),
    "analyze": (["analyze"], "shmwatch analyze"),
    "ls": (["ls"], "shmwatch ls"),
    "report": (["report"], "shmwatch report"),
    "top": (["top"], "shmwatch top"),
}

SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "SIGNALS", "EXIT STATUS",
            "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"]

OPTION = r"--?[A-Za-z0-9][\w-]*"


def need(tool, package):
    if not shutil.which(tool):
        raise AssertionError("%s is not installed (Debian package %s): apt-get install %s"
                             % (tool, package, package))


def shmwatch_help(args):
    if not os.path.exists(SHMWATCH):
        raise AssertionError("%s is not built (set SHMWATCH_BUILD)" % SHMWATCH)
    proc = subprocess.run([SHMWATCH] + args + ["--help"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=30)
    if proc.returncode != 0 or proc.stderr:
        raise AssertionError("shmwatch %s --help: exit %d, %s"
                             % (" ".join(args), proc.returncode, proc.stderr))
    return proc.stdout


def help_options(text):
    """The options of the help's table: each row starts, indented, with
    the option, its other spelling and its value, ended by two spaces."""
    opts = []
    for line in text.splitlines():
        m = re.match(r" {2,8}(-\S.*?)(?:  |$)", line)
        if m:
            opts += re.findall(r"(?<![\w-])" + OPTION, m.group(1))
    return opts


def help_exit_statuses(text):
    """The numbers of the help's paragraph that starts with Exit status."""
    m = re.search(r"^Exit status:(.*?)(?:\n\n|\Z)", text, re.S | re.M)
    if not m:
        raise AssertionError("no 'Exit status:' paragraph in:\n" + text)
    return sorted(set(int(n) for n in re.findall(r"(?<![\w.+-])(\d+)(?![\w.])", m.group(1))))


def run_man(width):
    need("man", "man-db")
    env = dict(os.environ, MANWIDTH=str(width), LC_ALL="C.UTF-8", MANROFFSEQ="",
               MANPAGER="cat", PAGER="cat")
    env.pop("MANOPT", None)
    env.pop("MAN_KEEP_FORMATTING", None)
    return subprocess.run(["man", "--warnings", "-l", MANPAGE], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, env=env, timeout=60)


def plain(rendered):
    """What a reader sees: no overstrikes or colours, hyphens that only
    break a word at a line's end undone, every hyphen and minus as -."""
    text = re.sub(r".\x08", "", rendered)
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    text = re.sub(r"[\u2010\u00ad]\n[ \t]*", "", text)
    return re.sub(r"[\u2010\u2011\u2212]", "-", text)


def split_sections(text):
    """{section: {subsection: [lines]}}, the part before the first
    subsection under ''.  A section's title starts in column 0, a
    subsection's in column 3, as man renders them."""
    sections = {}
    current = sections.setdefault("", {}).setdefault("", [])
    section = ""
    for line in text.splitlines():
        if re.match(r"[A-Z][A-Z ]*[A-Z]$", line):
            section = line
            current = sections.setdefault(section, {}).setdefault("", [])
        elif re.match(r" {3}\S", line):
            current = sections.setdefault(section, {}).setdefault(line.strip(), [])
        else:
            current.append(line)
    return sections


def has_option(text, opt):
    return re.search(r"(?<![\w-])" + re.escape(opt) + r"(?![\w-])", text) is not None


def source_tags(source, section, subsection):
    """The tags of the .TP paragraphs in that part of the page's source,
    as plain text."""
    tags, where, take = [], None, False
    for line in source.splitlines():
        if line.startswith(".SH "):
            where = (line[4:].strip('"'), None)
        elif line.startswith(".SS "):
            where = (where[0], line[4:].strip('"'))
        elif line.startswith(".TP"):
            take = True
            continue
        elif take and where == (section, subsection):
            tag = re.sub(r"\\f[BIRP]", "", line)
            tag = re.sub(r"^\.[BI]R? ", "", tag).replace("\\-", "-").replace('"', "")
            tags.append(tag)
        take = False
    return tags


class ManPageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(MANPAGE) as f:
            cls.source = f.read()

    def rendered(self):
        proc = run_man(200)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return split_sections(plain(proc.stdout))

    def test_renders_without_warnings(self):
        for width in (80, 200):
            proc = run_man(width)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(proc.stderr, "", "man --warnings at MANWIDTH=%d" % width)
        need("groff", "groff-base")
        proc = subprocess.run(["groff", "-man", "-ww", "-z", MANPAGE], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""), "groff -man -ww -z")
        sections = self.rendered()
        missing = [s for s in SECTIONS if s not in sections]
        self.assertEqual(missing, [], "sections missing from the rendered page")
        words = sum(len(l.split()) for sub in sections.values() for ls in sub.values()
                    for l in ls)
        self.assertGreater(words, 2000, "the rendered page is nearly empty")

    def test_every_option_of_help_is_described(self):
        sections = self.rendered()
        problems = []
        for name, (args, title) in SUBCOMMANDS.items():
            opts = help_options(shmwatch_help(args))
            self.assertGreater(len(opts), 2, "no options parsed from shmwatch %s --help" % name)
            part = sections.get("OPTIONS", {}).get(title)
            if part is None:
                problems.append("OPTIONS has no subsection '%s'" % title)
                continue
            text = " ".join(" ".join(part).split())
            missing = [o for o in opts if not has_option(text, o)]
            if missing:
                problems.append("OPTIONS / %s lacks %s (printed by shmwatch %s--help)"
                                % (title, ", ".join(missing), " ".join(args + [""])))
        self.assertEqual(problems, [], "\n".join(problems))

    def test_no_option_that_help_does_not_print(self):
        problems = []
        for name, (args, title) in SUBCOMMANDS.items():
            opts = set(help_options(shmwatch_help(args)))
            tags = source_tags(self.source, "OPTIONS", title)
            self.assertTrue(tags, "no .TP tags under OPTIONS / %s" % title)
            described = {o for t in tags for o in re.findall(r"(?<![\w-])" + OPTION, t)}
            extra = sorted(described - opts)
            if extra:
                problems.append("OPTIONS / %s describes %s, which shmwatch %s--help does "
                                "not print" % (title, ", ".join(extra), " ".join(args + [""])))
        self.assertEqual(problems, [], "\n".join(problems))

    def test_options_are_written_with_minus(self):
        # man(7): an option's hyphens are \- so that they render as the
        # ASCII hyphen-minus one types, and are not broken or hyphenated.
        text = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", self.source)
        bare = sorted(set(re.findall(r"(?<![\\\w-])-{1,2}[A-Za-z][\w-]*", text)))
        self.assertEqual(bare, [], "options written with a bare '-' in docs/shmwatch.8")
        missing = []
        for args, _ in SUBCOMMANDS.values():
            for o in help_options(shmwatch_help(args)):
                if o.replace("-", "\\-") not in self.source:
                    missing.append(o)
        self.assertEqual(missing, [], "options never written as \\-\\-name in the source")

    def test_every_exit_status_of_help_is_listed(self):
        sections = self.rendered()
        problems = []
        for name, (args, title) in SUBCOMMANDS.items():
            statuses = help_exit_statuses(shmwatch_help(args))
            part = sections.get("EXIT STATUS", {}).get(title)
            if part is None:
                problems.append("EXIT STATUS has no subsection '%s'" % title)
                continue
            body = [l for l in part if l.strip()]
            indent = min(len(l) - len(l.lstrip()) for l in body)
            listed = {int(m.group(1)) for l in body
                      for m in [re.match(r" {%d}(\d+)\b" % indent, l)] if m}
            missing = [s for s in statuses if s not in listed]
            if missing:
                problems.append("EXIT STATUS / %s lists no status %s (named by shmwatch %s"
                                "--help)" % (title, ", ".join(map(str, missing)),
                                             " ".join(args + [""])))
        self.assertEqual(problems, [], "\n".join(problems))


class CompletionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="shmwatch-completion-")
        for name in ("trace.ndjson", "trace.ndjson.1.gz", "notes.txt"):
            open(os.path.join(cls.tmp, name), "w").close()
        os.mkdir(os.path.join(cls.tmp, "subdir"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        if not os.path.exists(BASH_COMPLETION):
            self.fail("%s is missing: apt-get install bash-completion" % BASH_COMPLETION)

    def complete(self, line):
        """COMPREPLY for the command line typed so far (the cursor at its
        end), with COMP_WORDS split as bash splits them ('=' a word of
        its own)."""
        words = []
        for tok in line.split(" "):
            pre, eq, post = tok.partition("=")
            words += [pre, eq] + ([post] if post else []) if eq else [tok]
        script = "\n".join([
            "source %s || exit 3" % shlex.quote(BASH_COMPLETION),
            "source %s || exit 3" % shlex.quote(COMPLETION),
            "spec=$(complete -p shmwatch) || exit 4",
            "fn=${spec#*-F }; fn=${fn%% *}",
            "COMP_WORDS=(%s)" % " ".join(shlex.quote(w) for w in words),
            "COMP_CWORD=%d" % (len(words) - 1),
            "COMP_LINE=%s" % shlex.quote(line),
            "COMP_POINT=${#COMP_LINE}",
            # compopt complains outside a real completion: not ours.
            '"$fn" shmwatch "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null',
            "printf '%s\\n' \"${COMPREPLY[@]}\"",
        ])
        proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], cwd=self.tmp,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, "completing %r: %s" % (line, proc.stderr))
        return set(proc.stdout.splitlines()) - {""}

    def test_loads(self):
        proc = subprocess.run(["bash", "--norc", "--noprofile", "-c",
                               "source %s && source %s && complete -p shmwatch"
                               % (shlex.quote(BASH_COMPLETION), shlex.quote(COMPLETION))],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertRegex(proc.stdout, r"^complete -F \S+ shmwatch$")

    def test_options_are_those_of_help(self):
        for name, (args, _) in SUBCOMMANDS.items():
            want = set(help_options(shmwatch_help(args)))
            got = self.complete(" ".join(["shmwatch"] + args + ["-"]))
            self.assertEqual(got, want, "shmwatch %s-<TAB>: completion %s, --help %s; "
                             "only in the completion: %s, only in --help: %s"
                             % (" ".join(args + [""]), sorted(got), sorted(want),
                                sorted(got - want), sorted(want - got)))

    def test_options_by_prefix(self):
        self.assertEqual(self.complete("shmwatch --for"), {"--format"})
        self.assertEqual(self.complete("shmwatch ls --or"), {"--orphaned"})
        self.assertEqual(self.complete("shmwatch analyze --str"), {"--strict"})
        self.assertEqual(self.complete("shmwatch trace --exit"), {"--exit-with-command"})

    def test_subcommands_first(self):
        self.assertEqual(self.complete("shmwatch "), {"analyze", "ls", "report", "top"})
        self.assertEqual(self.complete("shmwatch r"), {"report"})
        self.assertEqual(self.complete("shmwatch t"), {"top"})
        # top launches a COMMAND as the trace does, and has no --format.
        self.assertIn("bash", self.complete("shmwatch top -o trace.ndjson -- bas"))
        self.assertEqual(self.complete("shmwatch top --for"), set())
        self.assertEqual(self.complete("shmwatch a"), {"analyze"})

    def test_values(self):
        self.assertEqual(self.complete("shmwatch --events "), {"all", "failed", "none"})
        self.assertEqual(self.complete("shmwatch --events=f"), {"failed"})
        self.assertEqual(self.complete("shmwatch --format "), {"text", "json"})
        self.assertEqual(self.complete("shmwatch --color "), {"auto", "always", "never"})
        self.assertEqual(self.complete("shmwatch analyze --summaries "),
                         {"all", "findings", "none"})
        self.assertEqual(self.complete("shmwatch analyze --state-max "), set())
        self.assertEqual(self.complete("shmwatch analyze --format j"), {"json"})
        self.assertEqual(self.complete("shmwatch ls --format="), {"text", "json"})
        self.assertEqual(self.complete("shmwatch -d "), set())
        self.assertEqual(self.complete("shmwatch --ringbuf-size "), set())

    def test_files(self):
        for line in ("shmwatch -o tr", "shmwatch --output tr", "shmwatch --metrics-file tr",
                     "shmwatch ls -o tr", "shmwatch analyze tr", "shmwatch analyze -- tr",
                     "shmwatch analyze --strict trace.ndjson tr"):
            self.assertEqual(self.complete(line), {"trace.ndjson", "trace.ndjson.1.gz"}, line)
        self.assertEqual(self.complete("shmwatch --cgroup s"), {"subdir"})

    def test_pids_and_users(self):
        pid = str(os.getpid())
        self.assertIn(pid, self.complete("shmwatch -p "))
        self.assertIn(pid, self.complete("shmwatch ls --pid "))
        self.assertIn("1," + pid, self.complete("shmwatch -p 1,"))
        self.assertIn(pid, self.complete("shmwatch -qp "))
        # Every user for root, one's own name for others (_allowed_users).
        me = pwd.getpwuid(os.geteuid()).pw_name
        self.assertIn(me, self.complete("shmwatch --uid " + me[:2]))

    def test_command_after_options(self):
        self.assertIn("bash", self.complete("shmwatch -- bas"))
        self.assertIn("bash", self.complete("shmwatch -q -o trace.ndjson -- bas"))
        # The first operand starts the COMMAND, -- or not; its own
        # options are not shmwatch's.
        self.assertIn("bash", self.complete("shmwatch -q bas"))
        self.assertNotIn("--format", self.complete("shmwatch -- bash --for"))


if __name__ == "__main__":
    unittest.main()
