/* Pure helpers of the Ansible side-by-side (bench/ansible-bench.ts): its inventory and the reading of its task profile. */

/** `Task name ------ 12.34s` lines of ansible.posix.profile_tasks' summary (a long name leaves as few as one dash), by task name. */
export function parseTaskProfile(output: string): Record<string, number> {
  const tasks: Record<string, number> = {};
  for (const match of output.matchAll(/^(\S.*?) -+ (\d+(?:\.\d+)?)s\s*$/gm)) tasks[match[1]!.trim()] = Number(match[2]);
  return tasks;
}

/** The inventory: one host per VM (at most 200: one /24), its clone targeted round-robin at the nodes. */
export function renderInventory(vms: number, nodes: number): string {
  if (vms > 200) throw new Error('the Ansible side-by-side addresses at most 200 VMs (one /24)');
  const lines = ['[vms]'];
  for (let i = 0; i < vms; i += 1) {
    const node = `pve${(i % nodes) + 1}`;
    lines.push(`ansible-${i} vm_id=${300_000 + i} vm_node=${node} vm_address=10.30.0.${10 + i} vm_gateway=10.30.0.1`);
  }
  lines.push('', '[vms:vars]', 'ansible_connection=local', 'ansible_python_interpreter=/usr/bin/python3', '');
  return lines.join('\n');
}
