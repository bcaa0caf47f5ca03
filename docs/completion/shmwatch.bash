# SPDX-License-Identifier: GPL-2.0
# bash completion for shmwatch (needs the bash-completion package).
#
# The option lists are those each sub-command's --help prints;
# tests/integration/test_manpage.py checks that they stay the same.
#
# shellcheck disable=SC2207 # COMPREPLY=($(compgen ...)), as bash-completion does

# The trace's options, and those of them that take a value.
_shmwatch_trace_opts='-p --pid -f --follow -o --output -d --duration -v --verbose
	-q --quiet --events --summaries --format --color --comm --uid --cgroup
	--container --max-size --all-mmaps --writes --no-stacks --stack-depth --leak-window
	--leak-count --ringbuf-size --stats-interval --rotate-size --rotate-keep
	--state-max --exit-with-command --check-state --metrics --metrics-file
	--folded -h --help --version'
_shmwatch_trace_args='-p --pid -o --output -d --duration --events --summaries
	--format --color --comm --uid --cgroup --container --max-size --stack-depth
	--leak-window --leak-count --ringbuf-size --stats-interval --rotate-size
	--rotate-keep --state-max --metrics --metrics-file --folded'
_shmwatch_analyze_opts='--format --strict --state-max --summaries --folded -h
	--help'
_shmwatch_analyze_args='--format --state-max --summaries --folded'
_shmwatch_ls_opts='-p --pid --orphaned --container --format -o --output -v
	--verbose -h --help'
_shmwatch_ls_args='-p --pid --container --format -o --output'
# top: the trace's, but for those of its text view and NDJSON output.
_shmwatch_top_opts='-p --pid -f --follow -o --output -d --duration -v --verbose
	--events --summaries --color --comm --uid --cgroup --container --max-size
	--all-mmaps --writes --no-stacks --leak-window --leak-count --ringbuf-size
	--stats-interval --rotate-size --rotate-keep --state-max
	--exit-with-command --check-state --metrics --metrics-file --folded -h
	--help --version'
_shmwatch_top_args='-p --pid -o --output -d --duration --events --summaries
	--color --comm --uid --cgroup --container --max-size --leak-window --leak-count
	--ringbuf-size --stats-interval --rotate-size --rotate-keep --state-max
	--metrics --metrics-file --folded'
_shmwatch_report_opts='-o --output --title --strict --state-max -h --help'
_shmwatch_report_args='-o --output --title --state-max'

# The option of WORD that takes the next word as its value, or nothing:
# WORD itself when it is such a long option, or the last letter of a
# bundle of short ones (-qp) when no letter before it takes a value.
_shmwatch_wants_value()
{
	local word=$1 args=" ${2//[$'\n\t']/ } " i c
	if [[ $word == --* ]]; then
		[[ $args == *" $word "* ]] && printf '%s' "$word"
		return
	fi
	[[ $word == -?* ]] || return
	for ((i = 1; i < ${#word}; i++)); do
		c=-${word:i:1}
		if [[ $args == *" $c "* ]]; then
			((i == ${#word} - 1)) && printf '%s' "$c"
			return
		fi
	done
}

_shmwatch()
{
	local cur prev words cword split
	_init_completion -s || return

	local sub=trace first=1
	case ${words[1]-} in
		analyze | ls | report | top | trace)
			sub=${words[1]}
			first=2
			;;
	esac
	if ((cword == 1)) && ! $split && [[ $cur != -* ]]; then
		COMPREPLY=($(compgen -W 'analyze ls report top' -- "$cur"))
		# Not a sub-command: the COMMAND to launch.
		[[ ${#COMPREPLY[@]} -eq 0 && $cur ]] && _command_offset 1
		return
	fi

	local opts_var=_shmwatch_${sub}_opts args_var=_shmwatch_${sub}_args
	local opts=${!opts_var} args=${!args_var}

	# Where the options end: at --, and for the trace at its first
	# operand, which starts the COMMAND.  On the way, opt becomes the
	# option whose value the current word is.
	local i w v opt="" end=0
	for ((i = first; i < cword; i++)); do
		w=${words[i]}
		if [[ $w == -- ]]; then
			end=$((i + 1))
			break
		elif [[ $w == -?* && $w != --*=* ]]; then
			v=$(_shmwatch_wants_value "$w" "$args")
			if [[ $v ]]; then
				((i + 1 == cword)) && opt=$v
				((i++))
			fi
		elif [[ $w != -* && ($sub == trace || $sub == top) ]]; then
			end=$i
			break
		fi
	done
	if ((end)); then
		case $sub in
			trace | top) _command_offset "$end" ;;
			analyze | report) _filedir ;;
		esac
		return
	fi

	# --opt=value: prev is --opt, cur the value.
	$split && opt=$(_shmwatch_wants_value "$prev" "$args")
	case $opt in
		-p | --pid)
			# PID[,PID...]: complete the one after the last comma.
			local listed=""
			[[ $cur == *,* ]] && listed=${cur%,*},
			cur=${cur##*,}
			_pids
			COMPREPLY=("${COMPREPLY[@]/#/$listed}")
			return
			;;
		-o | --output | --metrics-file | --folded)
			_filedir
			return
			;;
		--format)
			COMPREPLY=($(compgen -W 'text json' -- "$cur"))
			return
			;;
		--color)
			COMPREPLY=($(compgen -W 'auto always never' -- "$cur"))
			return
			;;
		--events)
			COMPREPLY=($(compgen -W 'all failed none' -- "$cur"))
			return
			;;
		--summaries)
			COMPREPLY=($(compgen -W 'all findings none' -- "$cur"))
			return
			;;
		--uid)
			_allowed_users
			return
			;;
		--comm)
			_pnames -s
			return
			;;
		--cgroup)
			_filedir -d
			return
			;;
		?*)
			# A number, a size or an address: nothing to offer.
			return
			;;
	esac
	$split && return

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	elif [[ $sub == analyze || $sub == report ]]; then
		_filedir
	elif [[ $sub == trace || $sub == top ]]; then
		_command_offset "$cword"
	fi
} &&
	complete -F _shmwatch shmwatch
