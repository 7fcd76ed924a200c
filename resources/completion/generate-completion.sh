#!/usr/bin/env bash
# Writes the bash completion of orderlens from what the built program says about itself
# (`orderlens --help` and `orderlens COMMAND --help`), so the completion lists exactly the
# commands, options, choices and dataset kinds of this build.
#   generate-completion.sh ORDERLENS TEMPLATE OUTPUT
set -euo pipefail
orderlens="$1"
template="$2"
output="$3"
export QT_QPA_PLATFORM=offscreen

top_help="$("$orderlens" --help)"
commands=$(printf '%s\n' "$top_help" | awk '/^Commands:/ {on=1; next} /^$/ {on=0} on {print $1}' | xargs)
# "fashion-mnist  ..." and "cifar10:DIR  ...": a kind is everything up to and including ':'.
kinds=$(printf '%s\n' "$top_help" | awk '/^Dataset specs/ {on=1; next} /^$/ {on=0} on {print $1}' |
        sed -E 's/^([^:]+:).*/\1/' | xargs)

# One case branch per command: its options, the options that take a value, and the value's
# kind (the placeholder in angle brackets); for NAME-like values, the choices the help lists.
branches=""
for command in $commands; do
  help="$("$orderlens" "$command" --help 2>/dev/null)"
  # Options start a line with two spaces; continuation lines are indented further.
  entries=$(printf '%s\n' "$help" | awk '
    /^  -/ { if (entry != "") print entry; entry = $0; next }
    /^    / && entry != "" { sub(/^ +/, " "); entry = entry $0; next }
    { if (entry != "") print entry; entry = "" }
    END { if (entry != "") print entry }')
  options=""
  values=""
  while IFS= read -r entry; do
    [ -z "$entry" ] && continue
    names=$(printf '%s\n' "$entry" | sed -E 's/^ +//; s/  .*//')
    option=$(printf '%s\n' "$names" | grep -oE -- '--?[A-Za-z0-9-]+' | tail -1)
    case "$option" in --help-all) continue ;; esac
    options="$options $option"
    placeholder=$(printf '%s\n' "$names" | grep -oE '<[^>]+>' | tr -d '<>' || true)
    [ -z "$placeholder" ] && continue
    description=$(printf '%s\n' "$entry" | sed -E 's/^ +[^ ].*<[^>]+> +//')
    case "$placeholder" in
      SPEC) completion="_orderlens_dataset" ;;
      DIR) completion="_filedir -d" ;;
      FILE.*) completion="_filedir ${placeholder#FILE.}" ;;
      NAME=FILE.*) completion="_filedir ${placeholder#NAME=FILE.}" ;;
      NAME|DEV|SPLIT|POLICY)
        # "One of a, b or c (default a)." / "Start from a recipe: a, b, c." / "a or b (default a)."
        list=$(printf '%s\n' "$description" | sed -E 's/\([^)]*\)//g; s/^(One of|[^:]*:) //; s/\..*$//')
        choices=$(printf '%s\n' "$list" | sed -E "s/,? or /, /g; s/'//g" | tr ',' '\n' |
                  sed -E 's/^ +//; s/ +$//' | grep -E '^[a-z0-9_-]+$' | xargs || true)
        completion="COMPREPLY=(\$(compgen -W '$choices' -- \"\$cur\"))"
        ;;
      *) completion="" ;;
    esac
    [ -n "$completion" ] && values="$values
        $option) $completion; return ;;"
    [ -z "$completion" ] && values="$values
        $option) return ;;"
  done <<< "$entries"
  branches="$branches
    $command)
      case \"\$prev\" in$values
      esac
      COMPREPLY=(\$(compgen -W '${options# }' -- \"\$cur\"))
      ;;"
done

awk -v commands="$commands" -v cases="${commands// /|}" -v kinds="$kinds" -v branches="$branches" '
  { gsub(/@COMMANDS_CASE@/, cases); gsub(/@COMMANDS@/, commands); gsub(/@DATASET_KINDS@/, kinds) }
  /@COMMAND_BRANCHES@/ { print substr(branches, 2); next }
  { print }' "$template" > "$output.tmp"
bash -n "$output.tmp"
mv "$output.tmp" "$output"
