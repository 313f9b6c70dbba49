/**
 * Which config keys a stack may have outside the project's own blocks: an allowlist of what the program needs. Neither
 * the Pulumi CLI nor azure-native check namespaces or provider keys (pulumi/pulumi pkg/resource/deploy/target.go
 * hands a provider only its own namespace; azure-native's CheckConfig accepts anything), so `amplifier-infa:monitoring:`
 * or `azure-native:locaton:` would be ignored without a word and the stack would fall back to defaults. Here every such
 * key is an error naming the closest valid key. Keys a provider does read but the program does not need are refused
 * too: credentials, identities and endpoints (`clientSecret`, `oidcRequestUrl`, which would send the job's OIDC
 * request token to any URL, `metadataHost`, `subscriptionId`, `docker:host`) come from the job's environment (ARM_*,
 * OIDC) and never from a stack file (pulumi/pulumi-azure-native provider/pkg/provider/auth_azidentity.go: a config key
 * wins over its environment variable).
 */
import * as azureNativeConfig from "@pulumi/azure-native/config";
import * as dockerConfig from "@pulumi/docker/config";
import { didYouMean, type Problem } from "./errors";

export type Platform = "azure" | "docker";

/**
 * Providers the program creates resources with, per platform: `keys`, the keys a stack file may set (the program needs
 * only azure-native's location); `reads`, every key the provider reads (the names its SDK's generated config module
 * exports; azure-native also reads `skipReadOnUpdate` in Configure, pulumi/pulumi-azure-native
 * provider/pkg/provider/provider.go), to tell a refused key from a typo. random has none.
 */
export const PROVIDERS: Record<string, { platform: Platform; keys: readonly string[]; reads: readonly string[] }> = {
  "azure-native": { platform: "azure", keys: ["location"], reads: [...Object.keys(azureNativeConfig), "skipReadOnUpdate"].sort() },
  docker: { platform: "docker", keys: [], reads: Object.keys(dockerConfig).sort() },
  random: { platform: "azure", keys: [], reads: [] },
};

/**
 * Problems with keys outside the project's blocks (which the schema checks): unknown namespaces, providers the
 * stack's platform does not use, provider keys the provider does not read, and Pulumi's reserved `pulumi:` keys.
 */
export function keyProblems(keys: readonly string[], project: string, platform: unknown, projectKeys: readonly string[]): Problem[] {
  const known = platform === "azure" || platform === "docker" ? platform : undefined;
  const used = Object.entries(PROVIDERS).filter(([, p]) => known === undefined || p.platform === known);
  const valid = [...projectKeys.map((k) => `${project}:${k}`), ...used.flatMap(([ns, p]) => p.keys.map((k) => `${ns}:${k}`))];
  const namespaces = [project, ...used.filter(([, p]) => p.keys.length).map(([ns]) => ns)];
  const problems: Problem[] = [];
  for (const key of keys) {
    const [ns, name] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
    if (ns === project) continue;
    const provider = PROVIDERS[ns];
    // A typo in the whole key, or the right name under the wrong namespace (`azure:location`).
    const sameName = valid.find((v) => v.endsWith(`:${name}`));
    const suggest = () => didYouMean(key, valid) || (sameName ? ` (did you mean "${sameName}"?)` : "");
    let text: string;
    if (ns === "pulumi") {
      text = `${key}: pulumi:* keys change how the engine runs the program (stack tags, default providers, auto-naming); this project uses none, so the offline plan could not reproduce them; remove it`;
    } else if (!provider) {
      text = `${key}: namespace "${ns}" is not read by this program${suggest()}; namespaces it reads: ${namespaces.join(", ")}`;
    } else if (known && provider.platform !== known) {
      text = `${key}: the ${ns} provider is not used by ${known === "azure" ? "an" : "a"} ${known} stack, so the setting would be ignored; remove it`;
    } else if (!provider.keys.includes(name)) {
      const allowed = provider.keys.length ? `allowed: ${provider.keys.join(", ")}` : `the ${ns} provider has no configuration keys`;
      text = provider.reads.includes(name)
        ? `${key}: the program does not take this ${ns} setting from a stack file: credentials, identities and endpoints come from the job's environment (ARM_* and OIDC in CI, your login locally); remove it (${ns} keys ${allowed.replace("the " + ns + " provider has no configuration keys", "allowed: none")})`
        : `${key}: unknown ${ns} key${didYouMean(key, valid)}; ${allowed}`;
    } else {
      continue;
    }
    problems.push({ key, text });
  }
  return problems;
}
