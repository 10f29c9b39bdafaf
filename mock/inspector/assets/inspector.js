// The inspector page's script, served by the mock as it is (no build step). Everything a client sent reaches the page
// as data and is put in with textContent, never as markup: the page's Content-Security-Policy requires Trusted Types,
// so an innerHTML assignment would throw rather than render.
const keptRows = 1000
const byId = (id) => document.getElementById(id)
const rows = byId('requests')
const filters = { status: byId('filter-status'), account: byId('filter-account'), operation: byId('filter-operation') }
const seen = { account: new Set(), operation: new Set(), status: new Set() }
let chosen

function element(tag, text, className) {
  const node = document.createElement(tag)
  if (text !== undefined) node.textContent = String(text)
  if (className) node.className = className
  return node
}

function statusClass(status) {
  return `s${String(status).charAt(0)}`
}

function addOption(select, set, value) {
  if (value === undefined || value === '' || set.has(value)) return
  set.add(value)
  const option = element('option', value)
  option.value = value
  select.append(option)
}

function matches(entry) {
  const status = filters.status.value
  if (status) {
    const code = String(entry.status)
    if (status.endsWith('xx') ? code.charAt(0) !== status.charAt(0) : code !== status) return false
  }
  if (filters.account.value && entry.account !== filters.account.value) return false
  if (filters.operation.value && (entry.operation ?? '(none)') !== filters.operation.value) return false
  return true
}

function refilter() {
  let shown = 0
  for (const row of rows.children) {
    row.hidden = !matches(row.entry)
    if (!row.hidden) shown += 1
  }
  byId('shown').textContent = `${shown} of ${rows.children.length} shown`
}

function addRequest(entry) {
  const row = element('tr')
  row.entry = entry
  row.dataset.id = String(entry.id)
  row.append(
    element('td', entry.time.slice(11, 23)),
    element('td', entry.status === 0 ? 'ABRT' : entry.status, statusClass(entry.status)),
    element('td', entry.method),
    element('td', entry.path),
    element('td', entry.account ? `${entry.account} (${entry.scheme ?? '?'})` : 'anonymous'),
    element('td', entry.operation ?? '–'),
    element('td', Math.round(entry.durationMs)),
  )
  row.addEventListener('click', () => showExchange(entry.id, row))
  row.hidden = !matches(entry)
  rows.prepend(row)
  while (rows.children.length > keptRows) rows.lastElementChild.remove()
  addOption(filters.status, seen.status, String(entry.status))
  addOption(filters.account, seen.account, entry.account)
  addOption(filters.operation, seen.operation, entry.operation ?? '(none)')
  byId('shown').textContent = `${[...rows.children].filter((r) => !r.hidden).length} of ${rows.children.length} shown`
}

function messageText(first, message) {
  const lines = [first]
  for (const [name, value] of message.headers) lines.push(`${name}: ${value}`)
  if (message.headersOmitted) lines.push(`(${message.headersOmitted} more headers not kept)`)
  lines.push('')
  if (!message.bodyRead) lines.push(message.bodyBytes ? `(body of ${message.bodyBytes} bytes not read: the mock answered first)` : '(no body)')
  else if (message.body === undefined) lines.push('(empty body)')
  else lines.push(message.body, '', `(${message.bodyBytes} bytes${message.body.endsWith('…') ? ', the start shown' : ''})`)
  return lines.join('\n')
}

async function showExchange(id, row) {
  if (chosen) chosen.classList.remove('chosen')
  chosen = row
  row.classList.add('chosen')
  const answer = await fetch(`/nwa/requests/${id}`, { headers: { accept: 'application/json' } })
  const body = await answer.json()
  byId('exchange-hint').hidden = answer.ok
  byId('exchange-body').hidden = !answer.ok
  if (!answer.ok) {
    byId('exchange-hint').textContent = (body.errors ?? [`${answer.status}`]).join(' ')
    return
  }
  const { entry, exchange } = body
  byId('exchange-line').textContent = `#${entry.id} ${entry.method} ${entry.path} → ${entry.status}`
  const notes = byId('exchange-notes')
  notes.replaceChildren(...entry.notes.map((note) => element('li', note)))
  if (exchange === undefined) {
    byId('exchange-request').textContent = '(not kept: the mock keeps exchanges only with --control)'
    byId('exchange-response').textContent = ''
    return
  }
  byId('exchange-request').textContent = messageText(`${entry.method} ${entry.path}`, exchange.request)
  byId('exchange-response').textContent = messageText(`${exchange.response.status}`, exchange.response)
}

function showState(state) {
  const { health, defects, tokenRequired } = state
  byId('sign-out').hidden = !tokenRequired
  byId('server-line').textContent = `${health.status} · store ${health.store} · ${health.records} records, ${health.archive} in the archive`
  byId('clock-line').textContent =
    `clock ${health.clock.now} (${health.clock.mode}${health.clock.offsetMs === undefined ? '' : ` ${health.clock.offsetMs} ms`})`
  const faults = byId('faults')
  if (!faults.contains(document.activeElement)) {
    faults.licenseExpired.checked = health.faults.licenseExpired
    faults.auditDatabaseUnreachable.checked = health.faults.auditDatabaseUnreachable
    faults.archiveService.value = health.faults.archiveService
    const latency = health.faults.latencyMs
    faults.latencyMs.value = typeof latency === 'number' ? String(latency) : `${latency.min}-${latency.max}`
    faults.faultRate.value = String(health.faults.faultRate)
    faults.dropConnectionRate.value = String(health.faults.dropConnectionRate)
  }
  byId('defects-line').textContent = defects.on.length ? `on: ${defects.on.join(', ')}` : 'none on: the clean mock'
  const list = byId('defect-list')
  if (list.children.length !== defects.available.length) {
    list.replaceChildren(
      ...defects.available.map((defect) => {
        const box = element('input')
        box.type = 'checkbox'
        box.value = defect.name
        const label = element('label')
        label.title = defect.description
        label.append(box, ` ${defect.name}`)
        return label
      }),
    )
  }
  for (const box of list.querySelectorAll('input')) if (document.activeElement !== box) box.checked = defects.on.includes(box.value)
}

function showGrade(grade) {
  byId('grade').hidden = grade === null
  if (grade === null) return
  byId('grade-verdict').textContent = `${grade.verdict}: ${grade.summary}`
  byId('grade-checks').replaceChildren(
    ...grade.checks.map((check) => {
      const row = element('tr')
      row.append(element('td', check.status, check.status), element('td', check.id), element('td', check.level), element('td', check.message))
      return row
    }),
  )
}

async function post(path, value) {
  const answer = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) })
  const problem = byId('switch-error')
  problem.hidden = answer.ok
  if (!answer.ok) {
    const body = await answer.json().catch(() => ({}))
    problem.textContent = (body.errors ?? [`${path} answered ${answer.status}`]).join('; ')
  }
}

function numberOr(text) {
  return text.trim() === '' ? 0 : Number(text)
}

byId('faults').addEventListener('submit', (event) => {
  event.preventDefault()
  const form = event.target
  const latency = form.latencyMs.value.trim()
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(latency)
  post('/nwa/faults', {
    licenseExpired: form.licenseExpired.checked,
    auditDatabaseUnreachable: form.auditDatabaseUnreachable.checked,
    archiveService: form.archiveService.value,
    latencyMs: range ? { min: Number(range[1]), max: Number(range[2]) } : numberOr(latency),
    faultRate: numberOr(form.faultRate.value),
    dropConnectionRate: numberOr(form.dropConnectionRate.value),
  })
})

byId('clock').addEventListener('submit', (event) => {
  event.preventDefault()
  post('/nwa/clock', { at: event.target.at.value.trim() })
})
byId('clock-real').addEventListener('click', () => post('/nwa/clock', { real: true }))

byId('defects').addEventListener('submit', (event) => {
  event.preventDefault()
  const on = [...byId('defect-list').querySelectorAll('input:checked')].map((box) => box.value)
  post('/nwa/defects', { on })
})

for (const select of Object.values(filters)) select.addEventListener('change', refilter)

const connection = byId('connection')
const events = new EventSource('/nwa/events')
events.addEventListener('open', () => {
  connection.textContent = 'live'
  connection.className = 'connection live'
})
events.addEventListener('error', () => {
  const closed = events.readyState === EventSource.CLOSED
  connection.textContent = closed ? 'disconnected: reload the page (signed out?)' : 'reconnecting…'
  connection.className = 'connection down'
})
events.addEventListener('request', (event) => addRequest(JSON.parse(event.data)))
events.addEventListener('state', (event) => showState(JSON.parse(event.data)))
events.addEventListener('grade', (event) => showGrade(JSON.parse(event.data)))
events.addEventListener('gap', (event) => {
  const { missed } = JSON.parse(event.data)
  const gap = byId('gap')
  gap.hidden = false
  gap.textContent = `${missed} requests left the journal before this page could show them (the journal keeps the newest only).`
})
