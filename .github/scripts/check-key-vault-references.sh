#!/usr/bin/env bash
# Runs after `pulumi up`: every Key Vault reference of the web app must be Resolved, or the deploy fails.
# A reference that could not be read reaches the app as the literal "@Microsoft.KeyVault(...)" text, and App Service
# caches what it fetched (failures included) and fetches again only on a configuration change or after 24 hours
# (Microsoft Learn, "Use Key Vault references as app settings", Understand rotation). On a first deploy the app's
# grants are seconds old, and a role assignment can take up to 10 minutes to apply (Microsoft Learn, "Troubleshoot
# Azure RBAC": role assignment changes are not being detected). So: read each reference's status, and while one is not
# Resolved, ask App Service to resolve them again (the documented POST .../config/configreferences/appsettings/refresh)
# and look again, for up to ATTEMPTS x INTERVAL seconds (default 30 x 30 s, beyond the 10 minutes); then fail, naming
# each setting and its status (statuses: azure-rest-api-specs, Microsoft.Web, ApiKVReference ResolveStatus).
# The refresh is not documented to restart the app's process, and a process that started while a reference failed
# keeps the literal text in its environment (a predictable string, which must never become a key). So when any
# reference needed a refresh, the site is restarted once all resolve (Microsoft Learn REST, "Web Apps - Restart":
# POST {site}/restart, synchronous=true blocks until it has restarted) and the statuses are read once more.
# All calls are ARM requests on the web app, which the deploy identity's Contributor on the stack's resource group
# allows (Microsoft Learn, "Azure built-in roles", Contributor: Actions *). Only names and statuses are printed; the
# response holds no secret value.
#   ARM_SUBSCRIPTION_ID   the stack's subscription
#   RESOURCE_GROUP        the web app's resource group (stack output resourceGroupName)
#   WEB_APP               the web app's name (stack output webAppName)
#   ATTEMPTS, INTERVAL    optional: how many looks, and seconds between them
set -uo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

attempts="${ATTEMPTS:-30}"
interval="${INTERVAL:-30}"
site="/subscriptions/${ARM_SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Web/sites/${WEB_APP}"
api="api-version=2022-03-01"
refreshed=no

for ((attempt = 1; ; attempt++)); do
  if ! rows="$(az rest --method get --url "https://management.azure.com${site}/config/configreferences/appsettings?${api}" \
    --query "value[].[id, properties.status]" --output tsv 2>&1)"; then
    error "Cannot read the Key Vault references of $WEB_APP" "az rest failed (is the deploy identity still Contributor on $RESOURCE_GROUP?):
$rows"
    exit 1
  fi
  total=0
  pending=()
  while IFS=$'\t' read -r id status; do
    [ -n "$id" ] || continue
    total=$((total + 1))
    [ "$status" = "Resolved" ] || pending+=("${id##*/}: ${status:-no status yet}")
  done <<<"$rows"
  if [ "$total" -gt 0 ] && [ "${#pending[@]}" -eq 0 ]; then
    if [ "$refreshed" = yes ]; then
      # The process may hold what it read before the refresh: restart it, then read the statuses again.
      echo "All $total Key Vault references of $WEB_APP are Resolved after a refresh; restarting the app so its process reads them."
      if ! out="$(az rest --method post --url "https://management.azure.com${site}/restart?softRestart=false&synchronous=true&${api}" --output none 2>&1)"; then
        error "Cannot restart $WEB_APP" "Its Key Vault references resolved only after a refresh, so the running process may still hold the literal @Microsoft.KeyVault(...) text, and the restart failed:
$out
Restart the app (az webapp restart -g $RESOURCE_GROUP -n $WEB_APP), then re-run this job (docs/secrets.md, \"Check the references\")."
        exit 1
      fi
      refreshed=restarted
      continue
    fi
    echo "All $total Key Vault references of $WEB_APP are Resolved."
    exit 0
  fi
  [ "$total" -gt 0 ] || pending=("no Key Vault reference is listed yet")
  if [ "$attempt" -ge "$attempts" ]; then
    error "Key Vault references of $WEB_APP did not resolve" "After $attempt looks, $interval s apart, these Key Vault references are not Resolved:
$(printf '  %s\n' "${pending[@]}")
The app reads them as the literal @Microsoft.KeyVault(...) text. AccessToKeyVaultDenied: the app's grant on that secret is missing or has not applied yet; SecretNotFound: the secret is missing; VaultNotFound or a network error: the vault is unreachable from the app (prod: its private endpoint and DNS). Fix it, then re-run this job (docs/secrets.md, \"Check the references\")."
    exit 1
  fi
  echo "Not Resolved yet (look $attempt of $attempts): ${pending[*]}; asking App Service to resolve them again."
  refreshed=yes
  if ! out="$(az rest --method post --url "https://management.azure.com${site}/config/configreferences/appsettings/refresh?${api}" --output none 2>&1)"; then
    echo "The refresh request failed (looking again anyway): $out"
  fi
  sleep "$interval"
done
