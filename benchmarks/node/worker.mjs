// Long-lived benchmark worker around @cloud-copilot/iam-simulate.
//
// Protocol: one JSON object per line on stdin, one JSON answer per line on stdout, in order.
//   {"id", "op": "load", "key", "identityPolicies": [{name, policy}], "permissionBoundaryPolicies"?}
//       validates the policies once and keeps them under `key` (a stored principal)
//   {"id", "op": "simulate", "items": [{"store"?: key, "simulation": Simulation}]}
//       runs each simulation; a stored key's policies are added to its identity policies
//   {"id", "op": "memory"}                       the worker's resident set size
// Every answer carries the request's id; a failure answers {"id", "error"}.
// The worker exits when stdin closes.
import { createInterface } from 'node:readline'
import { isConditionKeyArray, runSimulation, typeForContextKey } from '@cloud-copilot/iam-simulate'
import { createValidatedPolicy, validateIdentityPolicy } from '@cloud-copilot/iam-policy'

const OUTCOMES = {
  Allowed: 'allow',
  ExplicitlyDenied: 'explicit_deny',
  ImplicitlyDenied: 'implicit_deny'
}

const store = new Map()

function validated(entries) {
  return (entries || []).map(({ name, policy }) => ({
    name,
    policy: createValidatedPolicy(policy, validateIdentityPolicy)
  }))
}

function load(msg) {
  store.set(msg.key, {
    identityPolicies: validated(msg.identityPolicies),
    permissionBoundaryPolicies: msg.permissionBoundaryPolicies
      ? validated(msg.permissionBoundaryPolicies)
      : undefined
  })
  return { ok: true }
}

function ignoredKeys(response) {
  if (response.resultType === 'single') return response.result.ignoredContextKeys || []
  if (response.resultType === 'wildcard') {
    return [...new Set(response.results.flatMap((r) => r.ignoredContextKeys || []))]
  }
  return []
}

async function simulateOne(item) {
  const simulation = { ...item.simulation }
  if (item.store !== undefined && item.store !== null) {
    const stored = store.get(item.store)
    if (!stored) return { outcome: 'error', error: `unknown store key ${item.store}`, ns: 0 }
    simulation.identityPolicies = [...(simulation.identityPolicies || []), ...stored.identityPolicies]
    if (stored.permissionBoundaryPolicies && !simulation.permissionBoundaryPolicies) {
      simulation.permissionBoundaryPolicies = stored.permissionBoundaryPolicies
    }
  }
  const start = process.hrtime.bigint()
  let response
  try {
    response = await runSimulation(simulation, {})
  } catch (err) {
    const ns = Number(process.hrtime.bigint() - start)
    return { outcome: 'error', error: `exception: ${err && err.message}`, ns }
  }
  const ns = Number(process.hrtime.bigint() - start)
  if (response.resultType === 'error') {
    return { outcome: 'error', error: response.errors.message, ns }
  }
  const outcome = OUTCOMES[response.overallResult] || `unknown:${response.overallResult}`
  return { outcome, ignored: ignoredKeys(response), narrowed: await narrowedKeys(simulation), ns }
}

// Context keys given several values that iam-simulate's data types as single-valued: it keeps
// only the first value of those (outside the timed call).
async function narrowedKeys(simulation) {
  const out = []
  for (const [key, value] of Object.entries(simulation.request.contextVariables || {})) {
    if (Array.isArray(value) && value.length > 1) {
      const type = await typeForContextKey(key.toLowerCase())
      if (type && !isConditionKeyArray(type)) out.push(key)
    }
  }
  return out
}

async function simulate(msg) {
  const results = []
  for (const item of msg.items) results.push(await simulateOne(item))
  return { results }
}

async function handle(msg) {
  switch (msg.op) {
    case 'load':
      return load(msg)
    case 'simulate':
      return simulate(msg)
    case 'memory':
      return { rss: process.memoryUsage().rss }
    default:
      return { error: `unknown op ${msg.op}` }
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of lines) {
  if (!line.trim()) continue
  let id = null
  let answer
  try {
    const msg = JSON.parse(line)
    id = msg.id
    answer = await handle(msg)
  } catch (err) {
    answer = { error: String((err && err.stack) || err) }
  }
  process.stdout.write(JSON.stringify({ id, ...answer }) + '\n')
}
