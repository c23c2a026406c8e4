// Progressive enhancement only: every page works without JavaScript.
import { initAll } from '../assets/govuk-frontend.min.js'
import { initDateFields } from './date-fields.js'
import { initSessionTimeout } from './session-timeout.js'

initAll()
initDateFields()
initSessionTimeout()
