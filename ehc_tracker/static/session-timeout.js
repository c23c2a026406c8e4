// The timeout warning (WCAG 2.2.1; the GOV.UK timeout warning pattern) and keeping what was typed.
//
// The server ends a session after IDLE_TIMEOUT seconds without a request. This counts down the
// same time from the last request any tab of this browser made; a warning dialog comes
// IDLE_WARNING seconds before the end with "Stay signed in" (a POST to the keep-alive endpoint)
// and "Sign out". On the warning, and when the time is up, what was typed in this page's forms
// (never passwords, CSRF tokens, hidden or file inputs) is kept in sessionStorage under the page's
// path; the page then goes to sign-in with `next` set to itself. Back on that path, the person
// is offered it back (Restore or Discard), never silently. A successful submit clears it.

const TYPED = 'ehc-typed:' // + path: what was typed on that page
const PENDING = 'ehc-typed-pending' // the path of a form just sent, until the next page shows
const REFRESHED = 'ehc-session-refreshed' // localStorage: when any tab last reached the server
const SKIPPED_TYPES = new Set(['password', 'hidden', 'file', 'submit', 'button', 'reset', 'image'])

function storage (kind) {
  try {
    const store = window[kind]
    store.getItem(PENDING)
    return store
  } catch (error) {
    return null // storage switched off: the warning still works, typing is not kept
  }
}

const session = storage('sessionStorage')
const local = storage('localStorage')

function pathKey (path = window.location.pathname) {
  return TYPED + path
}

// ---------------------------------------------------------------- what was typed

function keptFields (form) {
  return Array.from(form.elements).filter((el) =>
    el.name && !el.disabled && el.name !== 'csrf_token' &&
    !SKIPPED_TYPES.has((el.type || '').toLowerCase()) &&
    ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName))
}

function isSignOut (form, signOutPath) {
  return signOutPath && new URL(form.action, window.location.href).pathname === signOutPath
}

function keptForms (signOutPath) {
  return Array.from(document.querySelectorAll('form')).filter((form) =>
    (form.getAttribute('method') || 'get').toLowerCase() === 'post' &&
    !form.closest('[data-module="app-session-timeout"]') && !isSignOut(form, signOutPath))
}

function fieldValues (form) {
  const counts = {}
  return keptFields(form).map((el) => {
    if (el.type === 'checkbox' || el.type === 'radio') {
      return { name: el.name, value: el.value, checked: el.checked }
    }
    const index = counts[el.name] = (counts[el.name] ?? -1) + 1 // the day, month and year boxes share a name
    const value = el.multiple ? Array.from(el.selectedOptions).map((o) => o.value) : el.value
    return { name: el.name, index, value }
  })
}

function snapshot (forms) {
  return forms.map(fieldValues)
}

function applyField (form, field) {
  const els = keptFields(form).filter((el) => el.name === field.name)
  let target
  if ('checked' in field) {
    target = els.find((el) => (el.type === 'checkbox' || el.type === 'radio') && el.value === field.value)
    if (target && target.checked !== field.checked) target.checked = field.checked
    else return null
  } else {
    target = els.filter((el) => el.type !== 'checkbox' && el.type !== 'radio')[field.index]
    if (!target) return null
    if (Array.isArray(field.value)) {
      Array.from(target.options).forEach((o) => { o.selected = field.value.includes(o.value) })
    } else if (target.value !== field.value) {
      target.value = field.value
    } else {
      return null
    }
  }
  target.dispatchEvent(new Event('input', { bubbles: true }))
  target.dispatchEvent(new Event('change', { bubbles: true }))
  return target
}

function restore (forms, saved) {
  let first = null
  saved.forms.forEach((fields, i) => {
    if (!forms[i]) return
    fields.forEach((field) => {
      const changed = applyField(forms[i], field)
      first = first || changed
    })
  })
  return first
}

function offerBack (forms, saved) {
  const main = document.getElementById('main-content')
  if (!main) return
  const banner = document.createElement('div')
  banner.className = 'govuk-notification-banner app-restore-banner'
  banner.setAttribute('role', 'region')
  banner.setAttribute('aria-labelledby', 'app-restore-title')
  banner.tabIndex = -1
  banner.innerHTML =
    '<div class="govuk-notification-banner__header">' +
    '<h2 class="govuk-notification-banner__title" id="app-restore-title">Important</h2></div>' +
    '<div class="govuk-notification-banner__content">' +
    '<p class="govuk-notification-banner__heading">You had typed something on this page before you were signed out.</p>' +
    '<p class="govuk-body">It has been kept in this browser tab. Put it back into the form, or discard it.</p>' +
    '<div class="govuk-button-group">' +
    '<button type="button" class="govuk-button" data-restore>Restore what you typed</button>' +
    '<button type="button" class="govuk-button govuk-button--secondary" data-discard>Discard it</button>' +
    '</div></div>'
  const done = () => {
    session.removeItem(pathKey())
    banner.remove()
  }
  banner.querySelector('[data-restore]').addEventListener('click', () => {
    const first = restore(forms, saved)
    done()
    const focusable = first || keptFields(forms[0])[0]
    if (focusable) focusable.focus()
  })
  banner.querySelector('[data-discard]').addEventListener('click', () => {
    done()
    const focusable = keptFields(forms[0])[0]
    if (focusable) focusable.focus()
  })
  main.insertBefore(banner, main.firstChild)
  banner.focus()
}

// ---------------------------------------------------------------- the warning dialog

function plural (n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

export function timeLeftWords (ms) {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const minutes = Math.floor(total / 60)
  const seconds = total % 60
  if (minutes && seconds) return `${plural(minutes, 'minute')} ${plural(seconds, 'second')}`
  if (minutes) return plural(minutes, 'minute')
  return plural(seconds, 'second')
}

function focusableIn (element) {
  return Array.from(element.querySelectorAll('a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled])'))
}

export function initSessionTimeout () {
  const dialog = document.querySelector('[data-module="app-session-timeout"]')
  const signOutForm = dialog && dialog.querySelector('[data-timeout-sign-out]').form
  const signOutPath = signOutForm ? new URL(signOutForm.action, window.location.href).pathname : null

  // A form sent from the last page: if this page is signed in, the send went through (a success,
  // or an error page that kept the typing itself), so what was kept for it goes. On the sign-in
  // page (the session had ended) it stays, to be offered back.
  const pending = session && session.getItem(PENDING)
  if (pending) {
    session.removeItem(PENDING)
    if (dialog) session.removeItem(pathKey(pending))
  }

  document.addEventListener('submit', (event) => {
    const form = event.target
    if (!session || !(form instanceof HTMLFormElement)) return
    if (isSignOut(form, signOutPath) || /\/sign-out$/.test(new URL(form.action, window.location.href).pathname)) {
      Object.keys(session).filter((key) => key.startsWith(TYPED)).forEach((key) => session.removeItem(key))
      return
    }
    if (dialog && keptForms(signOutPath).includes(form)) {
      keep() // in case the session ended on the server before the timer said so
      session.setItem(PENDING, window.location.pathname)
    }
  })

  if (!dialog) return // signed out: no clock to count

  const forms = keptForms(signOutPath)
  const initial = JSON.stringify(snapshot(forms))

  function keep () {
    if (!session || !forms.length) return
    const now = snapshot(forms)
    if (JSON.stringify(now) === initial) return // nothing typed
    session.setItem(pathKey(), JSON.stringify({ savedAt: Date.now(), forms: now }))
  }

  const saved = session && session.getItem(pathKey())
  if (saved && forms.length) {
    try {
      offerBack(forms, JSON.parse(saved))
    } catch (error) {
      session.removeItem(pathKey())
    }
  }

  const timeoutMs = Number(dialog.dataset.timeoutSeconds) * 1000
  const warningMs = Number(dialog.dataset.warningSeconds) * 1000
  if (!(timeoutMs > 0)) return
  const overlay = document.querySelector('[data-timeout-overlay]')
  const countdown = dialog.querySelector('[data-timeout-countdown]')
  const announce = dialog.querySelector('[data-timeout-announce]')
  const stayButton = dialog.querySelector('[data-timeout-stay]')
  const csrf = signOutForm.querySelector('input[name="csrf_token"]').value
  let lastHere = Date.now()
  let open = false
  let returnFocus = null
  let lastAnnounced = null
  let finished = false

  const refreshed = (when) => {
    lastHere = when
    if (local) local.setItem(REFRESHED, String(when))
  }
  const lastRequest = () => Math.max(lastHere, Number((local && local.getItem(REFRESHED)) || 0))
  refreshed(lastHere)

  const others = () => Array.from(document.body.children).filter((el) => el !== dialog && el !== overlay && el.tagName !== 'SCRIPT')

  function show (left) {
    open = true
    keep()
    returnFocus = document.activeElement
    others().forEach((el) => { el.inert = true })
    overlay.hidden = false
    dialog.hidden = false
    document.documentElement.classList.add('app-timeout-open')
    update(left, true)
    dialog.focus()
  }

  function hide () {
    open = false
    dialog.hidden = true
    overlay.hidden = true
    document.documentElement.classList.remove('app-timeout-open')
    others().forEach((el) => { el.inert = false })
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus()
    lastAnnounced = null
  }

  function update (left, first) {
    const words = timeLeftWords(left)
    countdown.textContent = words
    // Screen readers hear the time when the warning opens, then every 30 seconds and at 10 seconds.
    const seconds = Math.ceil(left / 1000)
    if (first || (seconds !== lastAnnounced && (seconds % 30 === 0 || seconds === 10))) {
      lastAnnounced = seconds
      announce.textContent = `For your security, we will sign you out in ${words}.`
    }
  }

  function signInAgain () {
    if (finished) return
    finished = true
    keep()
    const next = window.location.pathname + window.location.search
    window.location.assign(`${dialog.dataset.signInUrl}?next=${encodeURIComponent(next)}`)
  }

  async function stay () {
    stayButton.disabled = true
    try {
      const response = await fetch(dialog.dataset.keepAliveUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'X-CSRFToken': csrf, Accept: 'application/json' }
      })
      const body = response.headers.get('Content-Type')?.includes('json') ? await response.json() : {}
      if (response.ok && body.signed_in) {
        refreshed(Date.now())
        if (session) session.removeItem(pathKey()) // staying: nothing will be lost
        hide()
      } else {
        signInAgain()
      }
    } catch (error) {
      announce.textContent = 'The service could not be reached. Check your connection and try again.'
    } finally {
      stayButton.disabled = false
    }
  }

  stayButton.addEventListener('click', stay)
  dialog.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault()
      stay()
    } else if (event.key === 'Tab') {
      const items = focusableIn(dialog)
      if (!items.length) return
      const first = items[0]
      const last = items[items.length - 1]
      if (event.shiftKey && (document.activeElement === first || document.activeElement === dialog)) {
        event.preventDefault()
        last.focus()
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault()
        first.focus()
      }
    }
  })

  function tick () {
    if (finished) return
    const left = lastRequest() + timeoutMs - Date.now()
    // A second past the end, so that the server has ended the session too.
    if (left <= -1000) return signInAgain()
    if (left <= warningMs) {
      if (!open) show(left)
      else update(left, false)
    } else if (open) {
      hide() // another tab kept the session going
    }
  }
  window.setInterval(tick, 1000)
  tick()
}
