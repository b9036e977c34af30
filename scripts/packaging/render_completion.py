#!/usr/bin/env python3
"""Renders the bash completion of rfctl from `rfctl --help`, so that it completes exactly the commands and
options rfctl has.

  render_completion.py --command RFCTL [ARGS...]      the completion script goes to stdout (or --output FILE)

Commands come from the "commands:" section (literal lower-case words: group and verb; the options each
command takes), global options from "options:", and the options that take a value from every item of the
form "--option VALUE" or "-o, --option VALUE" (render_man.py describes the layout).
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from render_man import emit, parse_usage, run  # noqa: E402

TEMPLATE = r"""# bash completion for rfctl. Generated from `rfctl --help` by scripts/packaging/render_completion.py.

_rfctl() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local takes_value=" @VALUE_OPTIONS@ "
    COMPREPLY=()
    case $prev in
        -o|--output)
            COMPREPLY=($(compgen -W "table json" -- "$cur"))
            return 0 ;;
    esac
    if [[ $takes_value == *" $prev "* ]]; then
        return 0
    fi
    # The words so far that are neither options nor option values: the group and the verb.
    local i word words=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ $takes_value == *" $word "* ]]; then
            ((i++))
        elif [[ $word != -* ]]; then
            words+=("$word")
        fi
    done
    local options="@GLOBAL_OPTIONS@"
    case "${words[0]} ${words[1]}" in
@COMMAND_OPTIONS@
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    elif ((${#words[@]} == 0)); then
        COMPREPLY=($(compgen -W "@GROUPS@" -- "$cur"))
    elif ((${#words[@]} == 1)); then
        case ${words[0]} in
@VERBS@
        esac
    fi
    return 0
}
complete -F _rfctl rfctl
"""


def options_of(item):
    return [t for t in re.findall(r"(?<![\w-])(-{1,2}[a-z][a-z0-9-]*)", item)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--command", nargs="+", required=True)
    parser.add_argument("--output", help="write the script here instead of stdout")
    args = parser.parse_args()
    _, _, sections = parse_usage(run(args.command + ["--help"]))
    sections = dict(sections)
    if "commands" not in sections or "options" not in sections:
        sys.exit("render_completion.py: no 'commands:' or 'options:' section in the --help text")

    verbs, command_options = {}, {}
    for item, _ in sections["commands"]:
        words = item.split()
        if len(words) < 2 or not words[0].isalpha() or not re.fullmatch(r"[a-z-]+", words[1]):
            sys.exit("render_completion.py: a command that is not GROUP VERB ...: " + item)
        verbs.setdefault(words[0], []).append(words[1])
        command_options["%s %s" % (words[0], words[1])] = options_of(item)

    global_options = []
    value_options = set()
    for heading, items in sections.items():
        for item, _ in items:
            # "-o, --output FORMAT", "--name NAME --peer-ip ADDRESS": every option of a bracket-free
            # stretch that names a value takes one.
            for stretch in re.split(r"[\[\]]", item):
                if re.search(r"-{1,2}[a-z][a-z0-9-]* [A-Z]", stretch):
                    value_options.update(options_of(stretch))
            if heading == "options":
                global_options += options_of(item)

    case_options = "\n".join(
        '        "%s") options+=" %s" ;;' % (command, " ".join(opts))
        for command, opts in command_options.items() if opts)
    case_verbs = "\n".join(
        '            %s) COMPREPLY=($(compgen -W "%s" -- "$cur")) ;;' % (group, " ".join(vs))
        for group, vs in verbs.items())
    script = (TEMPLATE.replace("@VALUE_OPTIONS@", " ".join(sorted(value_options)))
              .replace("@GLOBAL_OPTIONS@", " ".join(global_options))
              .replace("@COMMAND_OPTIONS@", case_options)
              .replace("@GROUPS@", " ".join(verbs))
              .replace("@VERBS@", case_verbs))
    emit(script, args.output)


if __name__ == "__main__":
    main()
