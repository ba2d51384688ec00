import {
  AppError,
  ErrorCode,
  Role,
  ZCreateIpPoolBody,
  ZIdParam,
  ZIpPool,
  ZIpPoolList,
  ZPoolAddressPage,
  ZPoolAddressQuery,
} from '@betang/core';
import { appendAudit, findIpPool, insertIpPool, listIpPools, listPoolAddresses } from '@betang/db';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { auditContext } from '../http/context';
import { route } from '../http/route';
import type { RoutesContext } from './router-context';

const READERS = [Role.Admin, Role.Operator, Role.DcHead, Role.Auditor] as const;

/** Address pools (operators). The database guarantees one holder per address. */
export function ipPoolRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;

  route(
    router,
    registry,
    { method: 'get', path: '/ip-pools', tag: 'ip-pools', summary: 'Pool alamat IP / IP pools', access: READERS, response: ZIpPoolList },
    async () => ({ items: await listIpPools(db) }),
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/ip-pools/{id}',
      tag: 'ip-pools',
      summary: 'Detail pool / an IP pool',
      access: READERS,
      params: ZIdParam,
      response: ZIpPool,
    },
    async ({ params }) => {
      const pool = await findIpPool(db, params.id);
      if (!pool) throw new AppError(ErrorCode.NotFound);
      return pool;
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/ip-pools/{id}/addresses',
      tag: 'ip-pools',
      summary: 'Alamat pool dan pemegangnya / a pool’s addresses and their holders',
      access: READERS,
      params: ZIdParam,
      query: ZPoolAddressQuery,
      response: ZPoolAddressPage,
    },
    async ({ params, query }) => {
      const pool = await findIpPool(db, params.id);
      if (!pool) throw new AppError(ErrorCode.NotFound);
      // The cursor counts the positions already passed (1 = after the range's first address).
      const passed = decodeCursor(z.number().int().positive().max(pool.size), query.cursor);
      const rows = await listPoolAddresses(db, pool.id, {
        after: passed === undefined ? undefined : passed - 1,
        limit: query.limit + 1,
        only: query.status,
      });
      const page = rows.slice(0, query.limit);
      return {
        items: page.map(({ position: _position, holder, ...row }) => ({
          ...row,
          holder: holder && { ...holder, reservedAt: holder.reservedAt.toISOString() },
        })),
        nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!.position + 1) : null,
      };
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/ip-pools',
      tag: 'ip-pools',
      summary: 'Tambah pool / add an IP pool',
      access: [Role.Admin, Role.Operator],
      body: ZCreateIpPoolBody,
      response: ZIpPool,
      status: 201,
    },
    async ({ req, res, body }) => {
      const inCidr = (address: string) =>
        ipv4ToInt(address) >>> 0 >= cidrBounds(body.cidr)[0] && ipv4ToInt(address) >>> 0 <= cidrBounds(body.cidr)[1];
      const wrong = (['gateway', 'rangeStart', 'rangeEnd'] as const).filter((k) => !inCidr(body[k]));
      if (ipv4ToInt(body.rangeStart) > ipv4ToInt(body.rangeEnd)) wrong.push('rangeEnd');
      if (wrong.length > 0) {
        throw new AppError(
          ErrorCode.ValidationFailed,
          {
            id: 'Gateway dan rentang harus berada di dalam CIDR, dengan awal ≤ akhir.',
            en: 'Gateway and range must lie inside the CIDR, with start ≤ end.',
          },
          wrong.map((k) => ({ path: `body.${k}`, message: body.cidr, code: 'outside_cidr' })),
        );
      }
      return db.transaction().execute(async (tx) => {
        if ((await listIpPools(tx)).some((p) => p.name === body.name))
          throw new AppError(ErrorCode.Conflict, { id: `Nama pool ${body.name} sudah dipakai.`, en: `Pool name ${body.name} is taken.` });
        const id = await insertIpPool(tx, body);
        const pool = (await findIpPool(tx, id))!;
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: body.institutionId,
          action: 'ip_pool.created',
          targetType: 'ip_pool',
          targetId: id,
          after: pool,
        });
        return pool;
      });
    },
  );
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function cidrBounds(cidr: string): [number, number] {
  const [base = '0.0.0.0', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4ToInt(base) / size) * size;
  return [start, start + size - 1];
}
