# Sourced by the other scripts here: what they share.

# A workflow command's message: %, CR and LF escaped, read from stdout (docs.github.com, "Workflow commands for GitHub
# Actions").
error() { # <title> <message>
  local m="$2"
  m="${m//'%'/%25}"
  m="${m//$'\r'/%0D}"
  m="${m//$'\n'/%0A}"
  echo "::error title=$1::$m"
}
