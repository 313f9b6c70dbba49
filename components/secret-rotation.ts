/**
 * Rotation by config: a generation counter per secret, turned into `keepers` of the random resource that makes it.
 * pulumi-random replaces a resource, and so generates a new value, exactly when its keepers change ("Arbitrary map
 * of values that, when changed, will trigger recreation of resource": Pulumi Registry, random.RandomPassword and
 * random.RandomBytes, `keepers`); nothing else about a deploy does, so an unrelated change never rotates anything.
 * Pure, so tests can check it without a run.
 */

/**
 * The keepers for `generation`. Generation 1 has none: that is how every stack created before rotation existed
 * stored its password and key, so upgrading replaces nothing; raising it to 2 adds them, which replaces the value.
 */
export function generationKeepers(generation: number): { generation: string } | undefined {
  return generation > 1 ? { generation: String(generation) } : undefined;
}

/**
 * How the app reaches its database, recorded in the admin password's keepers. Before this value existed the app
 * logged in as the admin with this password, and every version of the vault's `postgresql-connection-string` written
 * then still holds it: Key Vault keeps old versions and a Get Secret of `/secrets/{name}/{version}` returns any of them
 * to a holder of Key Vault Secrets User on the secret (Key Vault REST API, "Get Secret"), which the app's identity is.
 * Adding the keeper replaces the password exactly once, on the deploy that moves a stack off the admin URL (or the
 * first deploy of this version on a stack already moved), so every old version's password is dead; it never changes
 * again unless the access mode or the generation does.
 */
export const APP_DATABASE_ACCESS = "entra-token";

/** The admin password's keepers: the access mode, and the generation from 2 on. */
export function adminPasswordKeepers(generation: number): { appAccess: string; generation?: string } {
  return { appAccess: APP_DATABASE_ACCESS, ...generationKeepers(generation) };
}

export interface KeySlot {
  index: 0 | 1;
  /** The generation whose key the slot holds: the latest n <= the configured generation with n mod 2 = index. */
  generation: number;
  keepers?: { generation: string };
}

/**
 * The JWT signing key's two slots. The current key is in slot `generation mod 2`, the previous one in the other slot.
 * A rotation (generation + 1) moves "current" to the other slot and gives that slot a new key; the slot that was
 * current keeps its value untouched and becomes the previous key (SECRET_KEY_FALLBACKS), so tokens it signed still
 * verify until the next rotation. Before the first rotation the other slot holds a key nothing ever signed with.
 */
export function jwtKeySlots(generation: number): { slots: [KeySlot, KeySlot]; current: 0 | 1; previous: 0 | 1 } {
  const current = (generation % 2) as 0 | 1;
  const previous = (1 - current) as 0 | 1;
  const slot = (index: 0 | 1): KeySlot => {
    const g = index === current ? generation : generation - 1;
    const keepers = generationKeepers(g);
    return { index, generation: g, ...(keepers ? { keepers } : {}) };
  };
  return { slots: [slot(0), slot(1)], current, previous };
}
