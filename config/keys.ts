/**
 * Which config keys a stack may have outside the project's own blocks. Neither the Pulumi CLI nor azure-native check
 * namespaces or provider keys (pulumi/pulumi pkg/resource/deploy/target.go hands a provider only its own namespace;
 * azure-native's CheckConfig accepts anything), so `amplifier-infa:monitoring:` or `azure-native:locaton:` would be
 * ignored without a word and the stack would fall back to defaults. Here every such key is an error naming the
 * closest valid key.
 */
import * as azureNativeConfig from "@pulumi/azure-native/config";
import * as dockerConfig from "@pulumi/docker/config";
import { didYouMean, type Problem } from "./errors";

export type Platform = "azure" | "docker";

/**
 * Providers the program creates resources with, per platform, and the keys each reads: the names its SDK's
 * generated config module exports, so an SDK upgrade brings its new keys along. azure-native also reads
 * `skipReadOnUpdate` in Configure (pulumi/pulumi-azure-native provider/pkg/provider/provider.go); random has none.
 */
export const PROVIDERS: Record<string, { platform: Platform; keys: readonly string[] }> = {
  "azure-native": { platform: "azure", keys: [...Object.keys(azureNativeConfig), "skipReadOnUpdate"].sort() },
  docker: { platform: "docker", keys: Object.keys(dockerConfig).sort() },
  random: { platform: "azure", keys: [] },
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
      text = `${key}: unknown ${ns} key${didYouMean(key, valid)}; ${allowed}`;
    } else {
      continue;
    }
    problems.push({ key, text });
  }
  return problems;
}
