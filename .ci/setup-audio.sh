#!/usr/bin/env bash
# Virtual sound card for CI and headless machines: PulseAudio with two null sinks.
#   speaker         default sink: what the agent plays; record it from `speaker.monitor`
#   micsink         play test audio here ...
#   mic             ... and it comes out of this default source (remap of micsink.monitor)
# PortAudio (naudiodon, ALSA host API) then sees the devices `pulse` and `default`.
# Idempotent: installs packages only if missing, starts the daemon only if not reachable,
# loads only the modules that are missing. Prints the environment to export at the end.
set -euo pipefail

XDG_DIR="${VOXAGENT_XDG_RUNTIME_DIR:-/tmp/voxagent-xdg}"
export XDG_RUNTIME_DIR="$XDG_DIR"

log() { echo "setup-audio: $*" >&2; }

need_install=()
command -v pulseaudio >/dev/null 2>&1 || need_install+=(pulseaudio)
command -v pacat >/dev/null 2>&1 || need_install+=(pulseaudio-utils)
dpkg -s libasound2-plugins >/dev/null 2>&1 || need_install+=(libasound2-plugins)
if ((${#need_install[@]})); then
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { log "need root or sudo to install ${need_install[*]}"; exit 1; }
    sudo_cmd=(sudo)
  fi
  log "installing ${need_install[*]}"
  "${sudo_cmd[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    pulseaudio pulseaudio-utils libasound2-plugins >&2
fi

mkdir -p "$XDG_DIR"
chmod 700 "$XDG_DIR"

if ! pactl info >/dev/null 2>&1; then
  cat >"$XDG_DIR/va.pa" <<'PA'
load-module module-native-protocol-unix auth-anonymous=1
load-module module-null-sink sink_name=speaker rate=48000 channels=1
load-module module-null-sink sink_name=micsink rate=48000 channels=1
load-module module-remap-source source_name=mic master=micsink.monitor channels=1
set-default-sink speaker
set-default-source mic
PA
  log "starting PulseAudio (runtime dir $XDG_DIR)"
  # -n: no default.pa, only our script. Output goes to a log file, not the caller's terminal.
  pulseaudio -n -F "$XDG_DIR/va.pa" --daemonize=yes --exit-idle-time=-1 \
    --log-target=file:"$XDG_DIR/pulseaudio.log" >&2
  for _ in $(seq 1 50); do
    pactl info >/dev/null 2>&1 && break
    sleep 0.1
  done
  pactl info >/dev/null 2>&1 || { log "PulseAudio did not come up; see $XDG_DIR/pulseaudio.log"; exit 1; }
else
  # Already running (e.g. a second run): add whatever is missing.
  sinks=$(pactl list short sinks)
  sources=$(pactl list short sources)
  grep -qw speaker <<<"$sinks" ||
    pactl load-module module-null-sink sink_name=speaker rate=48000 channels=1 >/dev/null
  grep -qw micsink <<<"$sinks" ||
    pactl load-module module-null-sink sink_name=micsink rate=48000 channels=1 >/dev/null
  grep -qw mic <<<"$sources" ||
    pactl load-module module-remap-source source_name=mic master=micsink.monitor channels=1 >/dev/null
  pactl set-default-sink speaker
  pactl set-default-source mic
fi

log "ready: sinks $(pactl list short sinks | awk '{print $2}' | paste -sd, -)," \
  "sources $(pactl list short sources | awk '{print $2}' | paste -sd, -)"
# The only stdout: lines to eval, e.g. `eval "$(bash .ci/setup-audio.sh)"`, or to append to
# $GITHUB_ENV without the `export `.
echo "export XDG_RUNTIME_DIR=$XDG_DIR"
echo "export PULSE_SERVER=unix:$XDG_DIR/pulse/native"
