// Typical mistakes a merchant makes with the widget: each line after `@ts-expect-error` must
// NOT compile (tsc --strict fails on an unused directive). Compiled by e2e/tests/types.test.js.
import { EPayWidget, type PaymentParams } from 'epay-widget';

declare const params: PaymentParams;
declare const fromServer: { project_id: number; payment_id: string; signature: string };

// 1. A misspelled event handler.
// @ts-expect-error onSucess is not an event handler
EPayWidget.run({ ...params, onSucess: () => {} });

// 2. A misspelled parameter.
// @ts-expect-error payment_descripton is not a Payment Page parameter
EPayWidget.run({ ...params, payment_descripton: 'Order 1' });

// 3. The amount as a decimal string.
// @ts-expect-error payment_amount is an integer in minor units, not '100.00'
EPayWidget.run({ ...params, payment_amount: '100.00' });

// 4. A method the platform does not have.
// @ts-expect-error force_payment_method is one of the method codes
EPayWidget.run({ ...params, force_payment_method: 'visa' });

// 5. Gate's nested shape in the Payment Page parameters.
// @ts-expect-error customer: { ... } is Gate's shape; the Payment Page takes customer_email etc.
EPayWidget.run({ ...params, customer: { email: 'a@example.com' } });

// 6. An option among the parameters (it would be sent to the platform and signed).
// @ts-expect-error target is an option: run(params, { target })
EPayWidget.run({ ...params, target: '#checkout' });

// 7. A lower-case currency.
// @ts-expect-error payment_currency is ISO 4217 upper case
EPayWidget.run({ ...params, payment_currency: 'usd' });

// 8. A currency no method takes.
// @ts-expect-error payment_currency: EUR is not taken by any method
EPayWidget.run({ ...params, payment_currency: 'EUR' });

// 9. Parameters without the signature (and the rest).
// @ts-expect-error signature and the amount are required
EPayWidget.run({ ...fromServer });

// 10. The target as the second argument instead of the options.
// @ts-expect-error the options are an object: { target: '#checkout' }
EPayWidget.run(params, '#checkout');

// 11. A misspelled option.
// @ts-expect-error targt is not an option
EPayWidget.run(params, { targt: '#checkout' });

// 12. A language name instead of its ISO 639-1 code.
// @ts-expect-error language_code is 'ru', not 'russian'
EPayWidget.run({ ...params, language_code: 'russian' });

// 13. A misspelled field of an event.
// @ts-expect-error ErrorEvent has code, param, message: not cod
EPayWidget.run({ ...params, onError: (e) => console.log(e.cod) });

// 14. A project id that is not a number.
// @ts-expect-error project_id is an integer
EPayWidget.run({ ...params, project_id: 'my-shop' });

// 15. A theme that does not exist.
// @ts-expect-error theme is 'light', 'dark' or 'auto'
EPayWidget.run(params, { theme: 'darkmode' });

// 16. A return URL as a URL object (it is signed as text).
// @ts-expect-error return_url is a string
EPayWidget.run({ ...params, return_url: new URL('https://shop.example/back') });
