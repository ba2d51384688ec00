import type { CustomSizeBounds, Resources } from '@betang/core';

/** What people typed into the request form (all text, as inputs hold it). */
export type RequestFormValues = {
  applicationId: string;
  hostname: string;
  templateId: string;
  /** A preset id, or 'custom'. */
  size: string;
  custom: { cores: string; memoryGiB: string; diskGiB: string };
  sshPublicKeys: string[];
  purpose: string;
  publicAccess: boolean;
  ports: string;
  contact: { name: string; nip: string; phone: string; email: string };
};

/** "80, 443 8080" → [80, 443, 8080]; a token that is not a whole number stays NaN so the schema names it. */
export function parsePorts(text: string): number[] {
  return text
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((token) => (/^\d+$/.test(token) ? Number(token) : Number.NaN));
}

/** The custom size in the API's units (memory GiB → MiB). */
export function customResources(values: RequestFormValues): Resources {
  const whole = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN);
  return { cores: whole(values.custom.cores), memoryMiB: whole(values.custom.memoryGiB) * 1024, diskGiB: whole(values.custom.diskGiB) };
}

/**
 * The POST /vps-requests body for the values: presetId or resources (never both), keys as typed
 * (the schema trims and checks each), ports parsed. Validate it with ZSubmitRequestBody.
 */
export function toRequestBody(values: RequestFormValues): Record<string, unknown> {
  return {
    applicationId: values.applicationId,
    hostname: values.hostname.trim(),
    templateId: values.templateId,
    ...(values.size === 'custom' ? { resources: customResources(values) } : { presetId: values.size }),
    sshPublicKeys: values.sshPublicKeys,
    purpose: values.purpose,
    network: { publicAccess: values.publicAccess, ports: parsePorts(values.ports) },
    contact: { name: values.contact.name, nip: values.contact.nip.trim(), phone: values.contact.phone, email: values.contact.email.trim() },
  };
}

/** Field errors of a custom size outside the operators' bounds (the API refuses those too). */
export function boundsErrors(
  resources: Resources,
  bounds: CustomSizeBounds,
  message: (min: number, max: number) => string,
): Record<string, string> {
  const errors: Record<string, string> = {};
  const check = (path: string, value: number, min: number, max: number) => {
    if (!Number.isNaN(value) && (value < min || value > max)) errors[path] = message(min, max);
  };
  check('resources.cores', resources.cores, bounds.min.cores, bounds.max.cores);
  check('resources.memoryMiB', resources.memoryMiB / 1024, bounds.min.memoryMiB / 1024, bounds.max.memoryMiB / 1024);
  check('resources.diskGiB', resources.diskGiB, bounds.min.diskGiB, bounds.max.diskGiB);
  return errors;
}
