//! The widget's texts in English, Russian, Kazakh, Malay and Swahili.
//!
//! Every language is one function with an exhaustive `match` on [`Key`], so a key
//! added without all five texts does not compile. Placeholders (`{amount}`, `{time}`,
//! `{id}`, `{service}`, `{account}`) are filled by [`tf`]; the tests check that every
//! language keeps exactly the placeholders of the English text.
//!
//! Terminal menu labels quoted in the instructions (“Online payment”) are kept as the
//! terminal shows them, with a translation in brackets where the reader may not know
//! English.

/// A language of the widget's interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ru,
    Kk,
    Ms,
    Sw,
}

impl Lang {
    pub const ALL: [Lang; 5] = [Lang::En, Lang::Ru, Lang::Kk, Lang::Ms, Lang::Sw];

    /// ISO 639-1 code: "en", "ru", "kk", "ms", "sw".
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Kk => "kk",
            Lang::Ms => "ms",
            Lang::Sw => "sw",
        }
    }

    /// Locale for `Intl` number and date formatting, in the customers' countries.
    pub fn bcp47(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru-RU",
            Lang::Kk => "kk-KZ",
            Lang::Ms => "ms-MY",
            Lang::Sw => "sw-KE",
        }
    }

    /// One language tag as merchants and browsers write it: "ru", "RU", "ru-RU",
    /// "ru_RU", "kk", "kz" (the country code, a common mistake for Kazakh), "ms-MY",
    /// "sw-KE", ISO 639-2 codes such as "rus". Anything else is `None`; "my" is
    /// Burmese, not Malay, and is not taken.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        match primary.to_ascii_lowercase().as_str() {
            "en" | "eng" => Some(Lang::En),
            "ru" | "rus" => Some(Lang::Ru),
            "kk" | "kz" | "kaz" => Some(Lang::Kk),
            "ms" | "msa" | "may" | "zsm" => Some(Lang::Ms),
            "sw" | "swa" | "swh" => Some(Lang::Sw),
            _ => None,
        }
    }

    /// `language_code` param first, then the browser's languages in order, then
    /// English. Unknown or empty codes fall through to the next source.
    pub fn pick(language_code: Option<&str>, browser: &[String]) -> Lang {
        language_code
            .into_iter()
            .chain(browser.iter().map(String::as_str))
            .find_map(Lang::parse)
            .unwrap_or(Lang::En)
    }
}

/// Declares `Key` and `Key::ALL` from one list, so the two cannot drift apart.
macro_rules! keys {
    ($($key:ident),* $(,)?) => {
        /// A text of the widget's interface. Add a key only with all five languages.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key {
            $($key),*
        }

        impl Key {
            /// Every key, in declaration order.
            pub const ALL: &'static [Key] = &[$(Key::$key),*];
        }
    };
}

keys! {
    Title, Close, Loading, Back, Continue, TryAgain, CheckAgain, Copy, Copied, Print,
    Amount, Order, PayAmount, ChooseMethod,
    MethodCardPartner, MethodCardPartnerHint, MethodEpay, MethodEpayHint,
    MethodPaydala, MethodPaydalaHint,
    FieldsTitle, FieldsIntro, FirstName, LastName, Email, Phone,
    ProblemEmpty, ProblemEmail, ProblemPhone, ProblemName,
    RedirectTitle, RedirectBody, RedirectButton,
    WaitingTitle, WaitingBody, StalledTitle, StalledBody,
    SuccessTitle, SuccessBody, DeclineTitle, DeclineBody, DeclineReason,
    ExpiredTitle, ExpiredBody, RefundedTitle, RefundedBody,
    ErrorTitle, ErrorBody, ErrorNetwork, ErrorRedirect, ErrorDetails,
    CodeTitle, CodeReference, CodeUserName, CodeValidUntil, CodeExpiresIn, CodeExpired,
    CodeQrLabel, CodeBarcodeLabel, CodeStepsTitle,
    CodeStep1, CodeStep2, CodeStep3, CodeStep3NoAmount, CodeStep4,
    TerminalTitle, TerminalService, TerminalAccount, TerminalStepsTitle,
    TerminalStep1, TerminalStep2, TerminalStep3, TerminalStep4,
    TerminalWaiting, DepositReceived, AccountQrLabel,
}

/// The text of `key` in `lang`, placeholders unfilled.
pub fn t(lang: Lang, key: Key) -> &'static str {
    match lang {
        Lang::En => en(key),
        Lang::Ru => ru(key),
        Lang::Kk => kk(key),
        Lang::Ms => ms(key),
        Lang::Sw => sw(key),
    }
}

/// The text of `key` with `{name}` placeholders replaced:
/// `tf(Lang::En, Key::PayAmount, &[("amount", "KES 100.00")])` → `"Pay KES 100.00"`.
/// One pass over the template: braces inside the values are not expanded again.
/// A placeholder without a value stays as it is.
pub fn tf(lang: Lang, key: Key, args: &[(&str, &str)]) -> String {
    let template = t(lang, key);
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------
// English
// ---------------------------------------------------------------------------

fn en(k: Key) -> &'static str {
    use Key::*;
    match k {
        Title => "Checkout",
        Close => "Close",
        Loading => "Loading…",
        Back => "Back",
        Continue => "Continue",
        TryAgain => "Try again",
        CheckAgain => "Check again",
        Copy => "Copy",
        Copied => "Copied",
        Print => "Print",
        Amount => "Amount",
        Order => "Order {id}",
        PayAmount => "Pay {amount}",
        ChooseMethod => "Choose how to pay",
        MethodCardPartner => "Card",
        MethodCardPartnerHint => "Pay by card or mobile money with our partner",
        MethodEpay => "EPay cash",
        MethodEpayHint => "Get a code and pay cash at an EPay terminal",
        MethodPaydala => "PayDala terminal",
        MethodPaydalaHint => "Top up your account with cash at a PayDala terminal",
        FieldsTitle => "Your details",
        FieldsIntro => "We need a few details to continue.",
        FirstName => "First name",
        LastName => "Last name",
        Email => "Email",
        Phone => "Phone number",
        ProblemEmpty => "Please fill in this field.",
        ProblemEmail => "Enter an email address like name@example.com.",
        ProblemPhone => "Enter a phone number of 5 to 15 digits, starting with + if international.",
        ProblemName => "Use at most 100 characters.",
        RedirectTitle => "Taking you to the payment partner",
        RedirectBody => "You will finish the payment on the partner's page and come back here.",
        RedirectButton => "Continue to payment",
        WaitingTitle => "Checking your payment",
        WaitingBody => "This page updates by itself. You can keep it open.",
        StalledTitle => "Still waiting",
        StalledBody => "We could not reach the payment service. Check your connection and try again.",
        SuccessTitle => "Payment successful",
        SuccessBody => "Thank you! Your payment of {amount} is complete.",
        DeclineTitle => "Payment declined",
        DeclineBody => "The payment was not completed. No money was taken.",
        DeclineReason => "Reason:",
        ExpiredTitle => "Payment expired",
        ExpiredBody => "The time to pay has run out. Start a new payment to try again.",
        RefundedTitle => "Payment refunded",
        RefundedBody => "The payment of {amount} was refunded.",
        ErrorTitle => "Payment cannot be started",
        ErrorBody => "Something is wrong with this payment request. Please contact the shop.",
        ErrorNetwork => "We could not reach the payment service. Check your connection and try again.",
        ErrorRedirect => "This page could not take you to the payment partner. Try again, or contact the shop.",
        ErrorDetails => "Details for the shop",
        CodeTitle => "Pay cash with this code",
        CodeReference => "Payment code",
        CodeUserName => "Name",
        CodeValidUntil => "Pay before {time}",
        CodeExpiresIn => "Time left: {time}",
        CodeExpired => "This code has expired.",
        CodeQrLabel => "QR code of the payment code",
        CodeBarcodeLabel => "Barcode of the payment code",
        CodeStepsTitle => "How to pay",
        CodeStep1 => "Go to any EPay terminal.",
        CodeStep2 => "Scan the QR code or barcode at the terminal, or type the payment code.",
        CodeStep3 => "Check the name and amount, then insert cash for {amount}.",
        CodeStep3NoAmount => "Check the name and the amount on the terminal's screen, then insert the cash.",
        CodeStep4 => "Keep the receipt. This page shows the result when the payment arrives.",
        TerminalTitle => "Top up at a PayDala terminal",
        TerminalService => "Service",
        TerminalAccount => "Account number",
        TerminalStepsTitle => "How to top up",
        TerminalStep1 => "Find a PayDala terminal and choose “{service}”.",
        TerminalStep2 => "Type your account number {account}.",
        TerminalStep3 => "Insert cash and confirm the amount.",
        TerminalStep4 => "Keep the receipt. This page shows the deposit when it arrives.",
        TerminalWaiting => "Waiting for your deposit…",
        DepositReceived => "Deposit of {amount} received",
        AccountQrLabel => "QR code of the account number",
    }
}

// ---------------------------------------------------------------------------
// Russian (Русский)
// ---------------------------------------------------------------------------

fn ru(k: Key) -> &'static str {
    use Key::*;
    match k {
        Title => "Оплата",
        Close => "Закрыть",
        Loading => "Загрузка…",
        Back => "Назад",
        Continue => "Продолжить",
        TryAgain => "Повторить попытку",
        CheckAgain => "Проверить ещё раз",
        Copy => "Копировать",
        Copied => "Скопировано",
        Print => "Распечатать",
        Amount => "Сумма",
        Order => "Заказ {id}",
        PayAmount => "Оплатить {amount}",
        ChooseMethod => "Выберите способ оплаты",
        MethodCardPartner => "Банковская карта",
        MethodCardPartnerHint => "Оплата картой или мобильным кошельком через нашего партнёра",
        MethodEpay => "Наличные через EPay",
        MethodEpayHint => "Получите код и оплатите наличными в терминале EPay",
        MethodPaydala => "Терминал PayDala",
        MethodPaydalaHint => "Пополните счёт наличными в терминале PayDala",
        FieldsTitle => "Ваши данные",
        FieldsIntro => "Чтобы продолжить, укажите, пожалуйста, несколько данных о себе.",
        FirstName => "Имя",
        LastName => "Фамилия",
        Email => "Электронная почта",
        Phone => "Номер телефона",
        ProblemEmpty => "Заполните это поле.",
        ProblemEmail => "Введите адрес электронной почты, например name@example.com.",
        ProblemPhone => "Введите номер телефона из 5–15 цифр; международный номер начните с +.",
        ProblemName => "Не более 100 символов.",
        RedirectTitle => "Переходим на страницу платёжного партнёра",
        RedirectBody => "Вы завершите оплату на странице партнёра и вернётесь сюда.",
        RedirectButton => "Перейти к оплате",
        WaitingTitle => "Проверяем платёж",
        WaitingBody => "Страница обновляется автоматически. Её можно оставить открытой.",
        StalledTitle => "Всё ещё ждём",
        StalledBody => "Не удалось связаться с платёжным сервисом. Проверьте подключение к интернету и повторите попытку.",
        SuccessTitle => "Оплата прошла успешно",
        SuccessBody => "Спасибо! Платёж на сумму {amount} выполнен.",
        DeclineTitle => "Платёж отклонён",
        DeclineBody => "Платёж не прошёл. Деньги не списаны.",
        DeclineReason => "Причина:",
        ExpiredTitle => "Срок оплаты истёк",
        ExpiredBody => "Время на оплату закончилось. Чтобы попробовать ещё раз, начните новый платёж.",
        RefundedTitle => "Платёж возвращён",
        RefundedBody => "Платёж на сумму {amount} возвращён.",
        ErrorTitle => "Не удаётся начать оплату",
        ErrorBody => "С этим запросом на оплату что-то не так. Пожалуйста, обратитесь в магазин.",
        ErrorNetwork => "Не удалось связаться с платёжным сервисом. Проверьте подключение к интернету и повторите попытку.",
        ErrorRedirect => "Не удалось перейти на страницу платёжного партнёра. Повторите попытку или обратитесь в магазин.",
        ErrorDetails => "Сведения для магазина",
        CodeTitle => "Оплатите наличными по этому коду",
        CodeReference => "Код для оплаты",
        CodeUserName => "Имя",
        CodeValidUntil => "Оплатите до {time}",
        CodeExpiresIn => "Осталось: {time}",
        CodeExpired => "Срок действия кода истёк.",
        CodeQrLabel => "QR-код с кодом для оплаты",
        CodeBarcodeLabel => "Штрихкод с кодом для оплаты",
        CodeStepsTitle => "Как оплатить",
        CodeStep1 => "Подойдите к любому терминалу EPay.",
        CodeStep2 => "Отсканируйте на терминале QR-код или штрихкод либо введите код для оплаты.",
        CodeStep3 => "Проверьте имя и сумму, затем внесите наличными {amount}.",
        CodeStep3NoAmount => "Проверьте имя и сумму на экране терминала, затем внесите наличные.",
        CodeStep4 => "Сохраните чек. Когда платёж поступит, результат появится на этой странице.",
        TerminalTitle => "Пополнение через терминал PayDala",
        TerminalService => "Услуга",
        TerminalAccount => "Номер счёта",
        TerminalStepsTitle => "Как пополнить",
        TerminalStep1 => "Найдите терминал PayDala и выберите «{service}».",
        TerminalStep2 => "Введите номер вашего счёта: {account}.",
        TerminalStep3 => "Внесите наличные и подтвердите сумму.",
        TerminalStep4 => "Сохраните чек. Когда деньги поступят, это отобразится на этой странице.",
        TerminalWaiting => "Ожидаем поступления денег…",
        DepositReceived => "Зачислено {amount}",
        AccountQrLabel => "QR-код с номером счёта",
    }
}

// ---------------------------------------------------------------------------
// Kazakh (Қазақ тілі, Cyrillic script)
// ---------------------------------------------------------------------------

fn kk(k: Key) -> &'static str {
    use Key::*;
    match k {
        Title => "Төлем",
        Close => "Жабу",
        Loading => "Жүктелуде…",
        Back => "Артқа",
        Continue => "Жалғастыру",
        TryAgain => "Қайталап көру",
        CheckAgain => "Қайта тексеру",
        Copy => "Көшіру",
        Copied => "Көшірілді",
        Print => "Басып шығару",
        Amount => "Сома",
        Order => "Тапсырыс {id}",
        PayAmount => "{amount} төлеу",
        ChooseMethod => "Төлем тәсілін таңдаңыз",
        MethodCardPartner => "Банк картасы",
        MethodCardPartnerHint => "Серіктесіміз арқылы картамен немесе мобильді әмиянмен төлеу",
        MethodEpay => "EPay арқылы қолма-қол",
        MethodEpayHint => "Код алып, EPay терминалында қолма-қол ақшамен төлеңіз",
        MethodPaydala => "PayDala терминалы",
        MethodPaydalaHint => "PayDala терминалында шотыңызды қолма-қол ақшамен толтырыңыз",
        FieldsTitle => "Сіздің деректеріңіз",
        FieldsIntro => "Жалғастыру үшін өзіңіз туралы бірнеше деректі көрсетіңіз.",
        FirstName => "Аты",
        LastName => "Тегі",
        Email => "Электрондық пошта",
        Phone => "Телефон нөмірі",
        ProblemEmpty => "Осы өрісті толтырыңыз.",
        ProblemEmail => "Электрондық пошта мекенжайын енгізіңіз, мысалы: name@example.com.",
        ProblemPhone => "5–15 цифрдан тұратын телефон нөмірін енгізіңіз; халықаралық нөмірді + белгісінен бастаңыз.",
        ProblemName => "100 таңбадан аспауы керек.",
        RedirectTitle => "Төлем серіктесінің бетіне өтудеміз",
        RedirectBody => "Төлемді серіктестің бетінде аяқтап, осында қайта ораласыз.",
        RedirectButton => "Төлемге өту",
        WaitingTitle => "Төлемді тексеріп жатырмыз",
        WaitingBody => "Бұл бет өздігінен жаңарады. Оны ашық қалдыра беріңіз.",
        StalledTitle => "Әлі күтудеміз",
        StalledBody => "Төлем қызметіне қосылу мүмкін болмады. Интернет байланысын тексеріп, қайталап көріңіз.",
        SuccessTitle => "Төлем сәтті өтті",
        SuccessBody => "Рақмет! {amount} сомасындағы төлеміңіз орындалды.",
        DeclineTitle => "Төлем қабылданбады",
        DeclineBody => "Төлем орындалмады. Ақша есептен шығарылған жоқ.",
        DeclineReason => "Себебі:",
        ExpiredTitle => "Төлем мерзімі өтті",
        ExpiredBody => "Төлеуге берілген уақыт бітті. Қайталап көру үшін жаңа төлем бастаңыз.",
        RefundedTitle => "Төлем қайтарылды",
        RefundedBody => "{amount} сомасындағы төлем қайтарылды.",
        ErrorTitle => "Төлемді бастау мүмкін емес",
        ErrorBody => "Бұл төлем сұрауында қате бар. Дүкенге хабарласыңыз.",
        ErrorNetwork => "Төлем қызметіне қосылу мүмкін болмады. Интернет байланысын тексеріп, қайталап көріңіз.",
        ErrorRedirect => "Төлем серіктесінің бетіне өту мүмкін болмады. Қайталап көріңіз немесе дүкенге хабарласыңыз.",
        ErrorDetails => "Дүкенге арналған мәліметтер",
        CodeTitle => "Осы код бойынша қолма-қол ақшамен төлеңіз",
        CodeReference => "Төлем коды",
        CodeUserName => "Аты-жөні",
        CodeValidUntil => "Төлеудің соңғы мерзімі: {time}",
        CodeExpiresIn => "Қалған уақыт: {time}",
        CodeExpired => "Бұл кодтың мерзімі өтті.",
        CodeQrLabel => "Төлем кодының QR-коды",
        CodeBarcodeLabel => "Төлем кодының штрихкоды",
        CodeStepsTitle => "Қалай төлеуге болады",
        CodeStep1 => "Кез келген EPay терминалына барыңыз.",
        CodeStep2 => "Терминалда QR-кодты немесе штрихкодты сканерлеңіз не төлем кодын енгізіңіз.",
        CodeStep3 => "Аты-жөні мен соманы тексеріп, {amount} қолма-қол ақша салыңыз.",
        CodeStep3NoAmount => "Терминал экранындағы аты-жөні мен соманы тексеріп, қолма-қол ақша салыңыз.",
        CodeStep4 => "Түбіртекті сақтап қойыңыз. Төлем түскенде нәтижесі осы бетте көрсетіледі.",
        TerminalTitle => "PayDala терминалы арқылы толтыру",
        TerminalService => "Қызмет",
        TerminalAccount => "Шот нөмірі",
        TerminalStepsTitle => "Қалай толтыруға болады",
        TerminalStep1 => "PayDala терминалын тауып, «{service}» қызметін таңдаңыз.",
        TerminalStep2 => "Шот нөміріңізді енгізіңіз: {account}.",
        TerminalStep3 => "Қолма-қол ақшаны салып, соманы растаңыз.",
        TerminalStep4 => "Түбіртекті сақтап қойыңыз. Ақша түскенде бұл бетте көрсетіледі.",
        TerminalWaiting => "Ақшаның түсуін күтудеміз…",
        DepositReceived => "{amount} шотқа түсті",
        AccountQrLabel => "Шот нөмірінің QR-коды",
    }
}

// ---------------------------------------------------------------------------
// Malay (Bahasa Malaysia)
// ---------------------------------------------------------------------------

fn ms(k: Key) -> &'static str {
    use Key::*;
    match k {
        Title => "Pembayaran",
        Close => "Tutup",
        Loading => "Memuatkan…",
        Back => "Kembali",
        Continue => "Teruskan",
        TryAgain => "Cuba lagi",
        CheckAgain => "Semak semula",
        Copy => "Salin",
        Copied => "Disalin",
        Print => "Cetak",
        Amount => "Jumlah",
        Order => "Pesanan {id}",
        PayAmount => "Bayar {amount}",
        ChooseMethod => "Pilih cara pembayaran",
        MethodCardPartner => "Kad",
        MethodCardPartnerHint => "Bayar dengan kad atau e-dompet melalui rakan kongsi kami",
        MethodEpay => "Tunai EPay",
        MethodEpayHint => "Dapatkan kod dan bayar tunai di terminal EPay",
        MethodPaydala => "Terminal PayDala",
        MethodPaydalaHint => "Tambah nilai akaun anda dengan tunai di terminal PayDala",
        FieldsTitle => "Butiran anda",
        FieldsIntro => "Kami memerlukan beberapa butiran untuk meneruskan.",
        FirstName => "Nama pertama",
        LastName => "Nama keluarga",
        Email => "E-mel",
        Phone => "Nombor telefon",
        ProblemEmpty => "Sila isi ruangan ini.",
        ProblemEmail => "Masukkan alamat e-mel seperti name@example.com.",
        ProblemPhone => "Masukkan nombor telefon 5 hingga 15 digit, bermula dengan + jika nombor antarabangsa.",
        ProblemName => "Gunakan tidak lebih daripada 100 aksara.",
        RedirectTitle => "Membawa anda ke rakan kongsi pembayaran",
        RedirectBody => "Anda akan melengkapkan pembayaran di halaman rakan kongsi, kemudian kembali ke sini.",
        RedirectButton => "Teruskan ke pembayaran",
        WaitingTitle => "Menyemak pembayaran anda",
        WaitingBody => "Halaman ini dikemas kini secara automatik. Anda boleh biarkan ia terbuka.",
        StalledTitle => "Masih menunggu",
        StalledBody => "Kami tidak dapat menghubungi perkhidmatan pembayaran. Semak sambungan anda dan cuba lagi.",
        SuccessTitle => "Pembayaran berjaya",
        SuccessBody => "Terima kasih! Pembayaran anda sebanyak {amount} telah selesai.",
        DeclineTitle => "Pembayaran ditolak",
        DeclineBody => "Pembayaran tidak selesai. Tiada wang ditolak daripada akaun anda.",
        DeclineReason => "Sebab:",
        ExpiredTitle => "Pembayaran tamat tempoh",
        ExpiredBody => "Masa untuk membayar telah tamat. Mulakan pembayaran baharu untuk mencuba lagi.",
        RefundedTitle => "Pembayaran dikembalikan",
        RefundedBody => "Pembayaran sebanyak {amount} telah dikembalikan.",
        ErrorTitle => "Pembayaran tidak dapat dimulakan",
        ErrorBody => "Terdapat masalah dengan permintaan pembayaran ini. Sila hubungi kedai.",
        ErrorNetwork => "Kami tidak dapat menghubungi perkhidmatan pembayaran. Semak sambungan anda dan cuba lagi.",
        ErrorRedirect => "Halaman ini tidak dapat membawa anda ke rakan kongsi pembayaran. Cuba lagi, atau hubungi kedai.",
        ErrorDetails => "Butiran untuk kedai",
        CodeTitle => "Bayar tunai dengan kod ini",
        CodeReference => "Kod pembayaran",
        CodeUserName => "Nama",
        CodeValidUntil => "Bayar sebelum {time}",
        CodeExpiresIn => "Baki masa: {time}",
        CodeExpired => "Kod ini telah tamat tempoh.",
        CodeQrLabel => "Kod QR bagi kod pembayaran",
        CodeBarcodeLabel => "Kod bar bagi kod pembayaran",
        CodeStepsTitle => "Cara membayar",
        CodeStep1 => "Pergi ke mana-mana terminal EPay.",
        CodeStep2 => "Imbas kod QR atau kod bar di terminal, atau taip kod pembayaran.",
        CodeStep3 => "Semak nama dan jumlah, kemudian masukkan wang tunai sebanyak {amount}.",
        CodeStep3NoAmount => "Semak nama dan jumlah pada skrin terminal, kemudian masukkan wang tunai.",
        CodeStep4 => "Simpan resit. Halaman ini akan menunjukkan keputusan sebaik sahaja pembayaran diterima.",
        TerminalTitle => "Tambah nilai di terminal PayDala",
        TerminalService => "Perkhidmatan",
        TerminalAccount => "Nombor akaun",
        TerminalStepsTitle => "Cara tambah nilai",
        TerminalStep1 => "Cari terminal PayDala dan pilih “{service}”.",
        TerminalStep2 => "Masukkan nombor akaun anda: {account}.",
        TerminalStep3 => "Masukkan wang tunai dan sahkan jumlahnya.",
        TerminalStep4 => "Simpan resit. Halaman ini akan menunjukkan deposit anda sebaik sahaja ia diterima.",
        TerminalWaiting => "Menunggu deposit anda…",
        DepositReceived => "Deposit sebanyak {amount} diterima",
        AccountQrLabel => "Kod QR bagi nombor akaun",
    }
}

// ---------------------------------------------------------------------------
// Swahili (Kiswahili, Kenya)
// ---------------------------------------------------------------------------

fn sw(k: Key) -> &'static str {
    use Key::*;
    match k {
        Title => "Malipo",
        Close => "Funga",
        Loading => "Inapakia…",
        Back => "Rudi",
        Continue => "Endelea",
        TryAgain => "Jaribu tena",
        CheckAgain => "Angalia tena",
        Copy => "Nakili",
        Copied => "Imenakiliwa",
        Print => "Chapisha",
        Amount => "Kiasi",
        Order => "Agizo {id}",
        PayAmount => "Lipa {amount}",
        ChooseMethod => "Chagua njia ya kulipa",
        MethodCardPartner => "Kadi",
        MethodCardPartnerHint => "Lipa kwa kadi au pesa za simu kupitia mshirika wetu",
        MethodEpay => "Pesa taslimu kupitia EPay",
        MethodEpayHint => "Pata msimbo kisha ulipe pesa taslimu kwenye mashine ya EPay",
        MethodPaydala => "Mashine ya PayDala",
        MethodPaydalaHint => "Ongeza salio la akaunti yako kwa pesa taslimu kwenye mashine ya PayDala",
        FieldsTitle => "Taarifa zako",
        FieldsIntro => "Tunahitaji taarifa chache ili kuendelea.",
        FirstName => "Jina la kwanza",
        LastName => "Jina la ukoo",
        Email => "Barua pepe",
        Phone => "Nambari ya simu",
        ProblemEmpty => "Tafadhali jaza sehemu hii.",
        ProblemEmail => "Andika anwani ya barua pepe, kwa mfano name@example.com.",
        ProblemPhone => "Andika nambari ya simu yenye tarakimu 5 hadi 15; anza na + ikiwa ni nambari ya kimataifa.",
        ProblemName => "Tumia herufi zisizozidi 100.",
        RedirectTitle => "Tunakupeleka kwa mshirika wa malipo",
        RedirectBody => "Utakamilisha malipo kwenye ukurasa wa mshirika kisha urudi hapa.",
        RedirectButton => "Endelea kulipa",
        WaitingTitle => "Tunathibitisha malipo yako",
        WaitingBody => "Ukurasa huu unajisasisha wenyewe. Unaweza kuuacha wazi.",
        StalledTitle => "Bado tunasubiri",
        StalledBody => "Hatukuweza kufikia huduma ya malipo. Angalia muunganisho wako wa intaneti kisha ujaribu tena.",
        SuccessTitle => "Malipo yamefanikiwa",
        SuccessBody => "Asante! Malipo yako ya {amount} yamekamilika.",
        DeclineTitle => "Malipo yamekataliwa",
        DeclineBody => "Malipo hayakukamilika. Hakuna pesa iliyotozwa.",
        DeclineReason => "Sababu:",
        ExpiredTitle => "Muda wa malipo umeisha",
        ExpiredBody => "Muda wa kulipa umeisha. Anza malipo mapya ili kujaribu tena.",
        RefundedTitle => "Malipo yamerejeshwa",
        RefundedBody => "Malipo ya {amount} yamerejeshwa.",
        ErrorTitle => "Malipo hayawezi kuanzishwa",
        ErrorBody => "Kuna tatizo katika ombi hili la malipo. Tafadhali wasiliana na duka.",
        ErrorNetwork => "Hatukuweza kufikia huduma ya malipo. Angalia muunganisho wako wa intaneti kisha ujaribu tena.",
        ErrorRedirect => "Ukurasa huu haukuweza kukupeleka kwa mshirika wa malipo. Jaribu tena, au wasiliana na duka.",
        ErrorDetails => "Maelezo kwa ajili ya duka",
        CodeTitle => "Lipa pesa taslimu kwa msimbo huu",
        CodeReference => "Msimbo wa malipo",
        CodeUserName => "Jina",
        CodeValidUntil => "Lipa kabla ya {time}",
        CodeExpiresIn => "Muda uliobaki: {time}",
        CodeExpired => "Muda wa msimbo huu umeisha.",
        CodeQrLabel => "Msimbo wa QR wa msimbo wa malipo",
        CodeBarcodeLabel => "Msimbopau wa msimbo wa malipo",
        CodeStepsTitle => "Jinsi ya kulipa",
        CodeStep1 => "Nenda kwenye mashine yoyote ya EPay.",
        CodeStep2 => "Changanua msimbo wa QR au msimbopau kwenye mashine ya malipo, au uandike msimbo wa malipo.",
        CodeStep3 => "Hakikisha jina na kiasi ni sahihi, kisha uingize pesa taslimu {amount}.",
        CodeStep3NoAmount => "Hakikisha jina na kiasi kwenye skrini ya mashine ni sahihi, kisha uingize pesa taslimu.",
        CodeStep4 => "Hifadhi risiti. Ukurasa huu utaonyesha matokeo malipo yakifika.",
        TerminalTitle => "Ongeza salio kwenye mashine ya PayDala",
        TerminalService => "Huduma",
        TerminalAccount => "Nambari ya akaunti",
        TerminalStepsTitle => "Jinsi ya kuongeza salio",
        TerminalStep1 => "Tafuta mashine ya PayDala kisha uchague “{service}”.",
        TerminalStep2 => "Andika nambari ya akaunti yako: {account}.",
        TerminalStep3 => "Ingiza pesa taslimu kisha uthibitishe kiasi.",
        TerminalStep4 => "Hifadhi risiti. Ukurasa huu utaonyesha pesa ulizoweka zikifika.",
        TerminalWaiting => "Tunasubiri pesa ulizoweka…",
        DepositReceived => "Tumepokea {amount} ulizoweka",
        AccountQrLabel => "Msimbo wa QR wa nambari ya akaunti",
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashSet};

    /// `{name}` placeholders of a text, names made of ASCII letters and `_`.
    fn placeholders(s: &str) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        let mut rest = s;
        while let Some(open) = rest.find('{') {
            rest = &rest[open + 1..];
            if let Some(close) = rest.find('}') {
                let name = &rest[..close];
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                    out.insert(name);
                }
            }
        }
        out
    }

    /// Keys whose text may equal the English one (brand names, loan words).
    fn allowed_same_as_english(lang: Lang) -> &'static [Key] {
        match lang {
            Lang::En => Key::ALL,
            Lang::Ru | Lang::Kk | Lang::Ms | Lang::Sw => &[],
        }
    }

    #[test]
    fn key_all_lists_every_variant_once_in_order() {
        for (i, k) in Key::ALL.iter().enumerate() {
            assert_eq!(*k as usize, i, "{k:?} out of order in Key::ALL");
        }
        let unique: HashSet<Key> = Key::ALL.iter().copied().collect();
        assert_eq!(unique.len(), Key::ALL.len());
        // The enum and ALL come from one macro list; the last variant closes it.
        assert_eq!(Key::AccountQrLabel as usize + 1, Key::ALL.len());
    }

    #[test]
    fn every_key_has_a_text_in_every_language() {
        for lang in Lang::ALL {
            for &k in Key::ALL {
                let s = t(lang, k);
                assert!(!s.trim().is_empty(), "{lang:?} {k:?} is empty");
                assert_eq!(s, s.trim(), "{lang:?} {k:?} has outer whitespace");
            }
        }
    }

    #[test]
    fn every_language_keeps_exactly_the_english_placeholders() {
        for &k in Key::ALL {
            let want = placeholders(en(k));
            for lang in Lang::ALL {
                assert_eq!(placeholders(t(lang, k)), want, "{lang:?} {k:?}");
            }
        }
    }

    #[test]
    fn no_text_has_stray_braces() {
        for lang in Lang::ALL {
            for &k in Key::ALL {
                let s = t(lang, k);
                assert_eq!(
                    s.matches('{').count(),
                    s.matches('}').count(),
                    "{lang:?} {k:?}"
                );
                assert_eq!(s.matches('{').count(), placeholders(s).len(), "{lang:?} {k:?}");
            }
        }
    }

    #[test]
    fn translations_are_not_english_copies() {
        for lang in [Lang::Ru, Lang::Kk, Lang::Ms, Lang::Sw] {
            let allowed = allowed_same_as_english(lang);
            let same: Vec<Key> = Key::ALL
                .iter()
                .copied()
                .filter(|&k| t(lang, k) == en(k))
                .collect();
            for k in &same {
                assert!(allowed.contains(k), "{lang:?} {k:?} is the English text");
            }
            assert!(same.len() <= 5, "{lang:?}: too many English texts: {same:?}");
        }
    }

    #[test]
    fn cyrillic_languages_use_cyrillic_and_kazakh_uses_kazakh_letters() {
        for lang in [Lang::Ru, Lang::Kk] {
            for &k in Key::ALL {
                let s = t(lang, k);
                let cyr = s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
                assert!(cyr, "{lang:?} {k:?} has no Cyrillic: {s}");
            }
        }
        let kazakh_letters = "әғқңөұүһіӘҒҚҢӨҰҮҺІ";
        let with_kazakh = Key::ALL
            .iter()
            .filter(|&&k| kk(k).chars().any(|c| kazakh_letters.contains(c)))
            .count();
        assert!(with_kazakh * 2 > Key::ALL.len(), "Kazakh texts look Russian");
    }

    #[test]
    fn russian_and_kazakh_texts_differ() {
        let same: Vec<Key> = Key::ALL.iter().copied().filter(|&k| ru(k) == kk(k)).collect();
        assert!(same.is_empty(), "{same:?}");
    }

    fn langs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn pick_prefers_language_code_then_browser_then_english() {
        assert_eq!(Lang::pick(Some("ru"), &langs(&["sw-KE", "en"])), Lang::Ru);
        assert_eq!(Lang::pick(None, &langs(&["sw-KE", "ru"])), Lang::Sw);
        assert_eq!(Lang::pick(None, &[]), Lang::En);
        assert_eq!(Lang::pick(Some("en"), &langs(&["ru"])), Lang::En);
    }

    #[test]
    fn pick_accepts_region_and_case_variants() {
        let cases = [
            ("ru", Lang::Ru),
            ("RU", Lang::Ru),
            ("ru-RU", Lang::Ru),
            ("ru_RU", Lang::Ru),
            ("kk", Lang::Kk),
            ("kk_KZ", Lang::Kk),
            ("kk-KZ", Lang::Kk),
            ("kz", Lang::Kk),
            ("KZ", Lang::Kk),
            ("ms", Lang::Ms),
            ("ms-MY", Lang::Ms),
            ("MS_my", Lang::Ms),
            ("sw", Lang::Sw),
            ("sw-KE", Lang::Sw),
            ("en-GB", Lang::En),
            (" ru ", Lang::Ru),
        ];
        for (code, want) in cases {
            assert_eq!(Lang::pick(Some(code), &[]), want, "language_code {code:?}");
            assert_eq!(Lang::pick(None, &langs(&[code])), want, "browser {code:?}");
        }
    }

    #[test]
    fn pick_lets_unknown_codes_fall_through() {
        for unknown in ["", "de", "my", "my-MM", "xx-KZ", "-", "_", "русский"] {
            assert_eq!(Lang::pick(Some(unknown), &langs(&["ms-MY"])), Lang::Ms, "{unknown:?}");
            assert_eq!(Lang::pick(Some(unknown), &[]), Lang::En, "{unknown:?}");
        }
        assert_eq!(Lang::pick(Some("fr"), &langs(&["de-DE", "zh", "kk-KZ", "ru"])), Lang::Kk);
        assert_eq!(Lang::pick(None, &langs(&["de-DE", "fr"])), Lang::En);
    }

    #[test]
    fn lang_codes_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.code()), Some(lang));
            assert_eq!(Lang::parse(lang.bcp47()), Some(lang));
        }
        assert_eq!(Lang::Kk.bcp47(), "kk-KZ");
        assert_eq!(Lang::Sw.bcp47(), "sw-KE");
        assert_eq!(Lang::Ms.bcp47(), "ms-MY");
    }

    #[test]
    fn tf_replaces_placeholders() {
        assert_eq!(
            tf(Lang::En, Key::PayAmount, &[("amount", "KES 100.00")]),
            "Pay KES 100.00"
        );
        assert_eq!(
            tf(Lang::Kk, Key::PayAmount, &[("amount", "1 000 ₸")]),
            "1 000 ₸ төлеу"
        );
        assert_eq!(
            tf(Lang::Ru, Key::TerminalStep1, &[("service", "Интернет"), ("x", "y")]),
            "Найдите терминал PayDala и выберите «Интернет»."
        );
        assert_eq!(tf(Lang::En, Key::Order, &[("id", "A-1")]), "Order A-1");
    }

    #[test]
    fn tf_does_not_expand_braces_inside_values_and_keeps_missing_ones() {
        assert_eq!(
            tf(Lang::En, Key::Order, &[("id", "{amount}")]),
            "Order {amount}"
        );
        assert_eq!(tf(Lang::En, Key::Order, &[]), "Order {id}");
        assert_eq!(tf(Lang::En, Key::Close, &[("id", "1")]), "Close");
    }

    #[test]
    fn tf_fills_every_placeholder_in_every_language() {
        let args = [
            ("amount", "AMT"),
            ("time", "TIME"),
            ("id", "ID"),
            ("service", "SVC"),
            ("account", "ACC"),
        ];
        for lang in Lang::ALL {
            for &k in Key::ALL {
                let s = tf(lang, k, &args);
                assert!(!s.contains('{') && !s.contains('}'), "{lang:?} {k:?}: {s}");
            }
        }
    }
}
