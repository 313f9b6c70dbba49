/** Storage accounts (the sessions share): transport, anonymous access and shared keys. */
import { at, type Rule, T, when } from "../model";

export const storageRules: Rule[] = [
  {
    name: "storage-min-tls-1-2",
    description: "Storage accounts accept TLS 1.2 or newer only.",
    source: ["CKV_AZURE_44", "AVD-AZU-0011", "AzPol fe83a0eb (MCSBv2)"],
    severity: "high",
    resourceTypes: [T.storageAccount],
    scope: "resource",
    // Checkov's ARM flavour accepts only TLS1_2, so that is the value to set.
    check: (props) => when(props.minimumTlsVersion !== "TLS1_2", "does not require TLS 1.2", props.minimumTlsVersion, 'set minimumTlsVersion: "TLS1_2"'),
  },
  {
    name: "storage-https-only",
    description: "Storage accounts accept HTTPS only (set explicitly).",
    source: ["CKV_AZURE_3", "AVD-AZU-0008", "AzPol 404c3081 (MCSB)"],
    severity: "high",
    resourceTypes: [T.storageAccount],
    scope: "resource",
    check: (props) => when(props.enableHttpsTrafficOnly !== true, "does not require HTTPS", props.enableHttpsTrafficOnly, "set enableHttpsTrafficOnly: true"),
  },
  {
    name: "storage-no-public-blob-access",
    description: "Storage accounts forbid anonymous blob access (set explicitly).",
    source: ["CKV_AZURE_190", "CKV2_AZURE_47", "AzPol 4fa4b6c0 (MCSB)"],
    severity: "high",
    resourceTypes: [T.storageAccount],
    scope: "resource",
    check: (props) => when(props.allowBlobPublicAccess !== false, "allows anonymous blob access", props.allowBlobPublicAccess, "set allowBlobPublicAccess: false"),
  },
  {
    name: "storage-shared-key-disabled",
    description: "Storage accounts disable shared-key authorization (the App Service Azure Files mount needs the key, so a stack that mounts a share documents an exception).",
    source: ["CKV2_AZURE_40", "AzPol 8c6a50c6 (MCSB)"],
    severity: "medium",
    resourceTypes: [T.storageAccount],
    scope: "resource",
    check: (props) =>
      when(
        props.allowSharedKeyAccess !== false,
        "allows shared-key authorization",
        props.allowSharedKeyAccess,
        "set allowSharedKeyAccess: false, or document the deviation under amplifier-infra:policy.exceptions",
      ),
  },
  {
    name: "storage-sas-expiration-policy",
    description: "Where shared keys stay on, they are allowed explicitly with a SAS expiration policy.",
    source: ["CKV2_AZURE_41", "AzPol bc1b984e"],
    severity: "low",
    resourceTypes: [T.storageAccount],
    scope: "resource",
    check: (props) => {
      if (props.allowSharedKeyAccess === false) return [];
      const period = at(props, "sasPolicy.sasExpirationPeriod");
      return [
        ...when(props.allowSharedKeyAccess !== true, "leaves shared-key access to the default", props.allowSharedKeyAccess, "set allowSharedKeyAccess explicitly (true only with a sasPolicy)"),
        ...when(!period, "has no SAS expiration policy", props.sasPolicy, 'set sasPolicy: {sasExpirationPeriod: "1.00:00:00", expirationAction: "Log"}'),
      ];
    },
  },
];
