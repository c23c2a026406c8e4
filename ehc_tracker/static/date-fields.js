// Date inputs: the "Use today's date" button, and the line that says, as a date is typed,
// whether it is on time against a step's due date. Both enhance what the page already says
// without JavaScript (today's date is in the hint; the due date and its status are shown).

const DAY_MS = 24 * 60 * 60 * 1000
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December']

function parseIso (text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || '')
  return match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : null
}

// The date typed in the three boxes (UTC midnight, in ms), or null until it is a real date.
export function typedDate (day, month, year) {
  const parts = [day, month, year].map((value) => String(value).trim())
  if (!parts.every((value) => /^\d+$/.test(value)) || parts[2].length !== 4) return null
  const [d, m, y] = parts.map(Number)
  const when = new Date(Date.UTC(y, m - 1, d))
  if (when.getUTCFullYear() !== y || when.getUTCMonth() !== m - 1 || when.getUTCDate() !== d) return null
  return when.getTime()
}

function longDate (ms) {
  const when = new Date(ms)
  return `${when.getUTCDate()} ${MONTHS[when.getUTCMonth()]} ${when.getUTCFullYear()}`
}

function days (n) {
  return `${n} day${n === 1 ? '' : 's'}`
}

// The words for a date against a due date (calendar days, as the case page counts them).
export function describeAgainstDue (on, dueOn) {
  const diff = Math.round((on - dueOn) / DAY_MS)
  const due = longDate(dueOn)
  if (diff === 0) return `${longDate(on)} is on time: it is the due date.`
  if (diff < 0) return `${longDate(on)} is on time: ${days(-diff)} before the due date, ${due}.`
  return `${longDate(on)} is late: ${days(diff)} after the due date, ${due}.`
}

function boxesOf (dateInput) {
  const boxes = dateInput.querySelectorAll('input.govuk-date-input__input')
  return boxes.length === 3 ? Array.from(boxes) : null
}

function initTodayButton (dateInput) {
  const today = parseIso(dateInput.dataset.today)
  const boxes = boxesOf(dateInput)
  if (today === null || !boxes || dateInput.dataset.todayButton) return
  dateInput.dataset.todayButton = 'on'
  const when = new Date(today)
  const button = document.createElement('button')
  button.type = 'button' // never submits the form
  button.className = 'govuk-button govuk-button--secondary app-today-button'
  button.textContent = 'Use today’s date'
  button.addEventListener('click', () => {
    const values = [when.getUTCDate(), when.getUTCMonth() + 1, when.getUTCFullYear()]
    boxes.forEach((box, i) => {
      box.value = String(values[i])
      box.dispatchEvent(new Event('input', { bubbles: true }))
      box.dispatchEvent(new Event('change', { bubbles: true }))
    })
  })
  dateInput.insertAdjacentElement('afterend', button)
}

function initOnTimeCheck (line) {
  const dueOn = parseIso(line.dataset.dueOn)
  const id = line.dataset.dateInput
  const boxes = ['day', 'month', 'year'].map((part) => document.getElementById(`${id}-${part}`))
  if (dueOn === null || boxes.some((box) => !box)) return
  const update = () => {
    const on = typedDate(...boxes.map((box) => box.value))
    const words = on === null ? '' : describeAgainstDue(on, dueOn)
    if (line.textContent !== words) line.textContent = words // announce changes only
  }
  boxes.forEach((box) => box.addEventListener('input', update))
  update() // a date the server kept after an error
}

export function initDateFields (root = document) {
  root.querySelectorAll('.govuk-date-input[data-today]').forEach(initTodayButton)
  root.querySelectorAll('[data-due-on][data-date-input]').forEach(initOnTimeCheck)
}
