/**
 * Values copied from a template and never replaced: an alert mailbox at example.com mails nobody, a JWT issuer at
 * yourdomain.auth0.com rejects every real token, a CORS origin at yourdomain.com admits whoever registers it.
 */
import { at, fail, type Rule, T } from "../model";
import { isKeyVaultReference, settingsOf, SETTINGS_CARRIERS, SITE_TYPES } from "./app-settings";

/**
 * Host labels that only appear in templates: RFC 2606 reserves example.com/.net/.org (the label `example`); the
 * spec's own placeholder is `yourdomain.com` (and `yourdomain.auth0.com` for the identity provider).
 */
const PLACEHOLDER_LABELS = ["example", "yourdomain", "your-domain", "yourcompany", "your-company"];
/** Top-level domains that never resolve on the internet: RFC 2606 §2 (.test, .example, .invalid, .localhost), RFC 6761 §6. */
const RESERVED_TLDS = ["test", "example", "invalid", "localhost"];

/** The first placeholder host name in `text` (an e-mail address, a URL, a list of origins), if any. */
export function placeholderHost(text: string): string | undefined {
  for (const raw of text.toLowerCase().match(/[a-z0-9.-]+/g) ?? []) {
    const host = raw.replace(/^[.-]+|[.-]+$/g, "");
    const labels = host.split(".");
    if (host === "localhost") return host;
    if (labels.length >= 2 && (RESERVED_TLDS.includes(labels[labels.length - 1]) || labels.some((l) => PLACEHOLDER_LABELS.includes(l)))) return host;
  }
  return undefined;
}

/** Every value a reviewer must see replaced, per resource: app settings, CORS origins, alert receivers. */
function valuesOf(props: Record<string, any>, type: string): { what: string; value: string }[] {
  const strings = (list: unknown, pick: (x: any) => unknown) => (Array.isArray(list) ? list.map(pick).filter((v): v is string => typeof v === "string") : []);
  if (type === T.actionGroup) {
    return [
      ...strings(props.emailReceivers, (r) => r?.emailAddress).map((value) => ({ what: "alert e-mail receiver", value })),
      ...strings(props.webhookReceivers, (r) => r?.serviceUri).map((value) => ({ what: "alert webhook", value })),
    ];
  }
  const settings = settingsOf(props, type)
    .filter((s) => s.kind === "app setting" && typeof s.value === "string" && !isKeyVaultReference(s.value))
    .map((s) => ({ what: `app setting ${s.name}`, value: s.value as string }));
  const cors = SITE_TYPES.includes(type) ? strings(at(props, "siteConfig.cors.allowedOrigins"), (o) => o).map((value) => ({ what: "CORS origin", value })) : [];
  return [...settings, ...cors];
}

export const placeholderRules: Rule[] = [
  {
    name: "no-placeholder-values",
    description:
      "No app setting, CORS origin or alert receiver points at a placeholder domain: example.com/.net/.org, *.test, *.example, *.invalid, localhost, or the spec's yourdomain.com.",
    source: ["RFC 2606 (reserved example names)", "RFC 6761 §6 (special-use names)", "spec: yourdomain.com placeholders"],
    severity: "high",
    resourceTypes: [...SETTINGS_CARRIERS, T.actionGroup],
    scope: "resource",
    check: (props, ctx) =>
      valuesOf(props, ctx.resource.type).flatMap(({ what, value }) => {
        const host = placeholderHost(value);
        // Only the host is shown: the value may be long, and a setting's value is the app's business.
        return host ? fail(`has ${what} pointing at the placeholder domain ${host}`, host, "replace it with the real value in the stack file") : [];
      }),
  },
];
