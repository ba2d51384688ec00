import type { RequestPrecheckQuery } from '@betang/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApi } from '../../api/api-context';
import { queryKeys } from '../../api/query-keys';
import { precheckRequest } from '../../api/vps-requests.api';
import { customResources, type RequestFormValues } from './request-body';

/** How long the form waits after the last change before asking the server again. */
const PAUSE_MS = 350;

/** What the precheck needs from the form: application, template, and a preset or a complete custom size. */
export function precheckQueryOf(values: RequestFormValues): RequestPrecheckQuery {
  const query: RequestPrecheckQuery = {};
  if (values.applicationId) query.applicationId = values.applicationId;
  if (values.templateId) query.templateId = values.templateId;
  if (values.size !== 'custom') {
    query.presetId = values.size;
  } else {
    const size = customResources(values);
    if ([size.cores, size.memoryMiB, size.diskGiB].every((n) => Number.isInteger(n) && n >= 0)) Object.assign(query, size);
  }
  return query;
}

function useSettled<T>(value: T, key: string): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), PAUSE_MS);
    return () => clearTimeout(timer);
    // The key stands for the value: a new object with the same content must not restart the pause.
  }, [key]);
  return settled;
}

/**
 * The server's precheck of what the form holds, asked again a moment after people stop changing
 * it; the previous answer stays shown meanwhile. The server stays authoritative: submission checks
 * everything again.
 */
export function useRequestPrecheck(values: RequestFormValues) {
  const api = useApi();
  const query = precheckQueryOf(values);
  const settled = useSettled(query, JSON.stringify(query));
  return useQuery({
    queryKey: queryKeys.requestPrecheck(settled),
    queryFn: () => precheckRequest(api, settled),
    placeholderData: keepPreviousData,
  });
}
