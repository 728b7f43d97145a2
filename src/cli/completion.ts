import type { Command } from 'commander';

/**
 * Shell completion scripts (`capstan completion bash|zsh|fish`): subcommands, their flags and the
 * global flags are written into the script (taken from the commander program when it is printed);
 * service names are asked at completion time from `capstan __complete services`, which loads the
 * compose file of the current directory (or the `-f`/`-p`/`--project-directory`/`--env-file`/
 * `--profile` already typed) and prints one name a line.
 */

/** Which operands of a command are service names: all of them, the first only (`exec SERVICE CMD…`), or none. */
export type ServiceOperands = 'all' | 'first' | 'none';

/** What a completion script knows of the command line. */
export interface CompletionSpec {
  /** Global flags (`-f`, `--file`, …), and those of them that take a value. */
  globalFlags: string[];
  globalValueFlags: string[];
  commands: { name: string; description: string; flags: string[]; services: ServiceOperands }[];
}

/** The global flags passed on to `capstan __complete services` (they choose the project). */
const PROJECT_FLAGS = ['-f', '--file', '-p', '--project-name', '--project-directory', '--env-file', '--profile'];

/** The flags of a commander option as typed (`-d`, `--detach`; a renamed option's shown names). */
function flagsOf(option: { flags: string }): string[] {
  return option.flags.match(/(?<![\w-])--?[A-Za-z][\w-]*/g) ?? [];
}

/** The spec of `program` and its (loaded, visible) subcommands; `--help` is added everywhere. */
export function specOf(program: Command): CompletionSpec {
  const visible = (o: { hidden?: boolean }): boolean => !o.hidden;
  const globalOptions = program.options.filter(visible);
  const commands = program.commands
    .filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
    .map((c) => {
      const first = c.registeredArguments[0];
      const isService = first !== undefined && /^service/i.test(first.name()) && !first.name().includes('=');
      const services: ServiceOperands = !isService ? 'none' : first.variadic ? 'all' : 'first';
      return { name: c.name(), description: c.description(), flags: [...c.options.filter(visible).flatMap(flagsOf), '--help'], services };
    });
  return {
    globalFlags: [...globalOptions.flatMap(flagsOf), '--help'],
    globalValueFlags: globalOptions.filter((o) => o.required || o.optional).flatMap(flagsOf),
    commands,
  };
}

/** Quote for a POSIX shell single-quoted word. */
const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The completion script for `shell`, to be sourced (bash: `source <(capstan completion bash)`;
 * zsh: `source <(capstan completion zsh)` or saved as `_capstan` in `$fpath`; fish: saved in
 * `~/.config/fish/completions/capstan.fish`).
 */
export function completionScript(shell: 'bash' | 'zsh' | 'fish', spec: CompletionSpec): string {
  if (shell === 'bash') return bashScript(spec);
  if (shell === 'zsh') return zshScript(spec);
  return fishScript(spec);
}

function bashScript(spec: CompletionSpec): string {
  const cases = spec.commands
    .map((c) => `    ${c.name}) flags=${sq(c.flags.join(' '))}; services=${c.services} ;;`)
    .join('\n');
  return `# capstan completion for bash: source <(capstan completion bash)
_capstan_services() {
  local -a args=()
  local i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${PROJECT_FLAGS.join('|')}) args+=("\${COMP_WORDS[i]}" "\${COMP_WORDS[i+1]}"); ((i++)) ;;
      --*=*) case "\${COMP_WORDS[i]%%=*}" in ${PROJECT_FLAGS.filter((f) => f.startsWith('--')).join('|')}) args+=("\${COMP_WORDS[i]}") ;; esac ;;
    esac
  done
  "\${COMP_WORDS[0]}" "\${args[@]}" __complete services 2>/dev/null
}

_capstan() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" i w operands=0 flags="" services=none
  ((COMP_CWORD > 0)) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  COMPREPLY=()
  case "$prev" in
    -f|--file|--env-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --project-directory) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --progress) COMPREPLY=($(compgen -W 'auto tty plain json quiet none' -- "$cur")); return ;;
    --ansi) COMPREPLY=($(compgen -W 'never always auto' -- "$cur")); return ;;
    completion) COMPREPLY=($(compgen -W 'bash zsh fish' -- "$cur")); return ;;
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [[ -z "$cmd" ]]; then
      case "$w" in
        ${spec.globalValueFlags.join('|')}) ((i++)) ;;
        -*) ;;
        *) cmd="$w" ;;
      esac
    elif [[ "$w" != -* ]]; then
      ((operands++))
    fi
  done
  if [[ -z "$cmd" ]]; then
    if [[ "$cur" == -* ]]; then
      COMPREPLY=($(compgen -W ${sq(spec.globalFlags.join(' '))} -- "$cur"))
    else
      COMPREPLY=($(compgen -W ${sq(spec.commands.map((c) => c.name).join(' '))} -- "$cur"))
    fi
    return
  fi
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ $services == all || ($services == first && $operands == 0) ]]; then
    COMPREPLY=($(compgen -W "$(_capstan_services)" -- "$cur"))
  fi
}
complete -F _capstan capstan
`;
}

function zshScript(spec: CompletionSpec): string {
  const describe = spec.commands.map((c) => `    ${sq(`${c.name}:${c.description}`.replace(/\n.*/s, ''))}`).join('\n');
  const cases = spec.commands.map((c) => `    (${c.name}) flags=(${c.flags.map(sq).join(' ')}); services=${c.services} ;;`).join('\n');
  return `#compdef capstan
# capstan completion for zsh: source <(capstan completion zsh), or save as _capstan in $fpath
_capstan_services() {
  local -a args
  local i
  for ((i = 2; i < CURRENT; i++)); do
    case $words[i] in
      (${PROJECT_FLAGS.join('|')}) args+=($words[i] $words[i+1]); ((i++)) ;;
    esac
  done
  $words[1] $args __complete services 2>/dev/null
}

_capstan() {
  local -a commands flags
  local cmd="" i operands=0 services=none
  commands=(
${describe}
  )
  case $words[CURRENT-1] in
    (-f|--file|--env-file) _files; return ;;
    (--project-directory) _files -/; return ;;
    (--progress) compadd -- auto tty plain json quiet none; return ;;
    (--ansi) compadd -- never always auto; return ;;
    (completion) compadd -- bash zsh fish; return ;;
  esac
  for ((i = 2; i < CURRENT; i++)); do
    if [[ -z $cmd ]]; then
      case $words[i] in
        (${spec.globalValueFlags.join('|')}) ((i++)) ;;
        (-*) ;;
        (*) cmd=$words[i] ;;
      esac
    elif [[ $words[i] != -* ]]; then
      ((operands++))
    fi
  done
  if [[ -z $cmd ]]; then
    if [[ $PREFIX == -* ]]; then compadd -- ${spec.globalFlags.join(' ')}; else _describe -t commands 'capstan command' commands; fi
    return
  fi
  case $cmd in
${cases}
  esac
  if [[ $PREFIX == -* ]]; then
    compadd -- $flags
  elif [[ $services == all || ( $services == first && $operands == 0 ) ]]; then
    compadd -- \${(f)"$(_capstan_services)"}
  fi
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _capstan "$@"
else
  compdef _capstan capstan
fi
`;
}

function fishScript(spec: CompletionSpec): string {
  const names = spec.commands.map((c) => c.name).join(' ');
  const lines = [
    '# capstan completion for fish: capstan completion fish > ~/.config/fish/completions/capstan.fish',
    'function __capstan_services',
    '    set -l tokens (commandline -opc)',
    '    set -l args',
    '    set -l i 2',
    '    while test $i -lt (count $tokens)',
    `        if contains -- $tokens[$i] ${PROJECT_FLAGS.join(' ')}`,
    '            set -a args $tokens[$i] $tokens[(math $i + 1)]',
    '            set i (math $i + 1)',
    '        end',
    '        set i (math $i + 1)',
    '    end',
    '    $tokens[1] $args __complete services 2>/dev/null',
    'end',
    'complete -c capstan -f',
  ];
  const flagSpec = (flag: string): string => (flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`);
  for (const flag of spec.globalFlags) lines.push(`complete -c capstan -n "not __fish_seen_subcommand_from ${names}" ${flagSpec(flag)}`);
  for (const c of spec.commands) {
    lines.push(`complete -c capstan -n "not __fish_seen_subcommand_from ${names}" -a ${c.name} -d ${sq(c.description.replace(/\n.*/s, ''))}`);
    for (const flag of c.flags) lines.push(`complete -c capstan -n "__fish_seen_subcommand_from ${c.name}" ${flagSpec(flag)}`);
  }
  const withServices = spec.commands.filter((c) => c.services !== 'none').map((c) => c.name);
  lines.push(`complete -c capstan -n "__fish_seen_subcommand_from ${withServices.join(' ')}" -a "(__capstan_services)"`);
  lines.push(`complete -c capstan -n "__fish_seen_subcommand_from completion" -a "bash zsh fish"`);
  return `${lines.join('\n')}\n`;
}
