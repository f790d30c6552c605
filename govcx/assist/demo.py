"""Demo help-centre content for `govcx seed_demo`: categories, published English/Spanish
articles and the intents (with example phrasings) that the assistant is trained on.

Everything is made through the knowledge services by a demo knowledge editor of each agency
(`<slug>-editor`), so the demo articles have a real version history and lifecycle. The
content is chosen by the agency's slug: one containing "tax" or "revenue" gets the tax
content, any other the benefits content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from govcx.assist import knowledge
from govcx.assist.models import Article, Category, Intent, IntentExample
from govcx.core.models import Agency, Role
from govcx.core.services import membership_set

PASSWORD = "demo-password-2026"  # noqa: S105 - documented demo sign-in (as contact/demo.py)


@dataclass(frozen=True)
class Art:
    slug: str
    category: str
    title_en: str
    summary_en: str
    body_en: str
    title_es: str
    summary_es: str
    body_es: str
    audience: str = "public"
    # the intent that answers with this article: (name, title, kind, English, Spanish)
    intent: tuple[str, str, str, list[str], list[str]] | None = None


@dataclass(frozen=True)
class Content:
    categories: list[tuple[str, str, str, str, str]]  # slug, name en/es, description en/es
    articles: list[Art]
    handovers: list[tuple[str, str, list[str], list[str]]] = field(default_factory=list)


A = Intent.Kind.ANSWER
H = Intent.Kind.HANDOVER

TALK_EN = [
    "I want to talk to a person", "can I speak to a human", "talk to an agent please",
    "get me a real person", "I need to speak with someone", "connect me to customer service",
    "is there a person I can chat with", "representative", "operator please",
    "I don't want a bot, I want a human", "can someone call me back",
    "transfer me to a live agent", "let me talk to staff", "human please",
]
TALK_ES = [
    "quiero hablar con una persona", "puedo hablar con un agente", "comuníqueme con un humano",
    "necesito hablar con alguien", "quiero un representante", "pásame con una persona real",
    "no quiero un robot, quiero una persona", "atención al cliente por favor",
    "¿alguien me puede llamar?", "hablar con un empleado",
]

BENEFITS = Content(
    categories=[
        ("apply", "Applying for benefits", "Solicitar beneficios",
         "How to apply, what you need and how to follow your application.",
         "Cómo solicitar, qué necesita y cómo seguir su solicitud."),
        ("payments", "Payments and cards", "Pagos y tarjetas",
         "When you are paid, direct deposit and your benefits card.",
         "Cuándo recibe su pago, depósito directo y su tarjeta de beneficios."),
        ("account", "Your account and changes", "Su cuenta y cambios",
         "Update your address, income or sign-in details.",
         "Actualice su dirección, ingresos o datos para iniciar sesión."),
        ("decisions", "Decisions, appeals and fraud", "Decisiones, apelaciones y fraude",
         "If you disagree with a decision, or want to report fraud.",
         "Si no está de acuerdo con una decisión o quiere denunciar un fraude."),
    ],
    articles=[
        Art("apply-for-benefits", "apply", "Apply for benefits",
            "Apply online at any time, by phone on weekdays, or at a field office. Most "
            "applications take about 30 minutes.",
            "You can apply in three ways:\n\n"
            "1. **Online** at any time — you can save your application and come back to it.\n"
            "2. **By phone** at 1-800-555-0100, Monday to Friday, 8 a.m. to 7 p.m.\n"
            "3. **In person** at a field office (book an appointment first).\n\n"
            "## Before you start\n\nHave your Social Security number, your bank details "
            "for direct deposit and recent pay stubs ready. See [documents you need]"
            "(../documents-you-need/).\n\n"
            "## After you apply\n\nWe send a letter with your application number within "
            "5 business days. Most decisions are made within 30 days.",
            "Solicitar beneficios",
            "Solicite en línea en cualquier momento, por teléfono los días hábiles o en una "
            "oficina. La mayoría de las solicitudes toman unos 30 minutos.",
            "Puede solicitar de tres maneras:\n\n"
            "1. **En línea** en cualquier momento; puede guardar la solicitud y volver.\n"
            "2. **Por teléfono** al 1-800-555-0100, de lunes a viernes, de 8 a. m. a 7 p. m.\n"
            "3. **En persona** en una oficina (haga una cita primero).\n\n"
            "## Antes de empezar\n\nTenga a mano su número de Seguro Social, los datos de "
            "su banco para el depósito directo y talones de pago recientes.\n\n"
            "## Después de solicitar\n\nLe enviamos una carta con su número de solicitud en "
            "5 días hábiles. La mayoría de las decisiones se toman en 30 días.",
            intent=("apply_for_benefits", "Apply for benefits", A, [
                "how do I apply for benefits", "I want to apply", "where can I sign up for "
                "benefits", "apply online", "how to start an application",
                "can I apply by phone", "I need to file a claim for benefits",
                "what's the process to get benefits", "am I able to apply in person",
                "start a new claim", "how long does the application take",
                "I lost my job, how do I get help", "sign up for assistance",
                "application for benefits", "how can I get benefits"], [
                "cómo solicito beneficios", "quiero solicitar beneficios",
                "dónde me inscribo", "solicitar en línea", "puedo aplicar por teléfono",
                "cómo empiezo una solicitud", "necesito ayuda, perdí mi trabajo",
                "cuál es el proceso para pedir beneficios", "quiero hacer una solicitud",
                "aplicar para beneficios"])),
        Art("check-application-status", "apply", "Check the status of your application",
            "Sign in to your account or call us with your application number. Most "
            "decisions are made within 30 days.",
            "## Online\n\nSign in and choose **My applications**. You will see one of these "
            "statuses:\n\n- **Received** — we have your application.\n- **In review** — "
            "we may ask you for documents.\n- **Decided** — your decision letter is in "
            "your account and in the mail.\n\n## By phone\n\nCall 1-800-555-0100 with your "
            "application number (it is on the letter we sent you).\n\nIf it has been more "
            "than 30 days and you have heard nothing, contact us.",
            "Consultar el estado de su solicitud",
            "Inicie sesión en su cuenta o llámenos con su número de solicitud. La mayoría de "
            "las decisiones se toman en 30 días.",
            "## En línea\n\nInicie sesión y elija **Mis solicitudes**. Verá uno de estos "
            "estados:\n\n- **Recibida** — tenemos su solicitud.\n- **En revisión** — "
            "podemos pedirle documentos.\n- **Decidida** — su carta de decisión está en su "
            "cuenta y en el correo.\n\n## Por teléfono\n\nLlame al 1-800-555-0100 con su "
            "número de solicitud.\n\nSi pasaron más de 30 días sin noticias, contáctenos.",
            intent=("check_status", "Check application status", A, [
                "what is the status of my application", "check my application status",
                "has my claim been approved", "when will I get a decision",
                "how long until I hear back", "I applied weeks ago and heard nothing",
                "is my application still being processed", "track my application",
                "did you receive my application", "where is my claim at",
                "any update on my case", "when will my claim be decided"], [
                "cuál es el estado de mi solicitud", "ya aprobaron mi solicitud",
                "cuándo recibiré una decisión", "solicité hace semanas y no sé nada",
                "recibieron mi solicitud", "cómo va mi trámite",
                "quiero saber cómo va mi caso", "cuánto tarda la decisión"])),
        Art("documents-you-need", "apply", "Documents you need",
            "Proof of identity, your Social Security number, proof of income and bank "
            "details. You can upload copies; keep the originals.",
            "Send copies, not originals. You can upload photos of documents in your "
            "account.\n\n| What | Examples |\n|---|---|\n| Identity | Driver's license, "
            "passport, state ID |\n| Social Security number | Your card or a letter that "
            "shows it |\n| Income | Pay stubs for the last 30 days, a tax return |\n| "
            "Bank details | A voided check or a bank letter |\n\nIf we asked you for a "
            "document you already sent, reply to our letter with the date you sent it.",
            "Documentos que necesita",
            "Prueba de identidad, su número de Seguro Social, prueba de ingresos y datos "
            "bancarios. Puede subir copias; guarde los originales.",
            "Envíe copias, no originales. Puede subir fotos de los documentos en su "
            "cuenta.\n\n| Qué | Ejemplos |\n|---|---|\n| Identidad | Licencia de conducir, "
            "pasaporte, identificación estatal |\n| Número de Seguro Social | Su tarjeta o "
            "una carta que lo muestre |\n| Ingresos | Talones de pago de los últimos 30 "
            "días, una declaración de impuestos |\n| Datos bancarios | Un cheque anulado o "
            "una carta del banco |",
            intent=("documents_needed", "Documents needed", A, [
                "what documents do I need", "which papers should I bring",
                "what proof of income do you accept", "do I need my birth certificate",
                "what ID do I need to apply", "you asked me for a document I already sent",
                "how do I upload documents", "can I send copies instead of originals",
                "list of required documents", "what paperwork is needed"], [
                "qué documentos necesito", "qué papeles debo llevar",
                "qué prueba de ingresos aceptan", "cómo subo mis documentos",
                "me pidieron un documento que ya envié", "puedo mandar copias",
                "qué identificación necesito"])),
        Art("payment-dates", "payments", "Payment dates",
            "Payments are made on the 3rd business day of each month. If your payment is "
            "more than 3 business days late, contact us.",
            "We pay on the **3rd business day** of each month, by direct deposit or to "
            "your benefits card.\n\n- Banks can take up to 2 days to show the deposit.\n"
            "- If the date falls on a holiday we pay the business day before.\n\n"
            "If your payment is more than 3 business days late, check that your bank "
            "details are correct in your account, then contact us.",
            "Fechas de pago",
            "Los pagos se hacen el 3.er día hábil de cada mes. Si su pago lleva más de 3 "
            "días hábiles de retraso, contáctenos.",
            "Pagamos el **3.er día hábil** de cada mes, por depósito directo o en su "
            "tarjeta de beneficios.\n\n- El banco puede tardar hasta 2 días en mostrar el "
            "depósito.\n- Si la fecha cae en un feriado, pagamos el día hábil anterior.\n\n"
            "Si su pago lleva más de 3 días hábiles de retraso, revise sus datos bancarios "
            "en su cuenta y luego contáctenos.",
            intent=("payment_dates", "Payment dates", A, [
                "when will I get paid", "what day do payments come",
                "my payment has not arrived this month", "where is my payment",
                "payment schedule", "when is my next deposit", "my check is late",
                "I didn't get my money", "what date is the benefit paid",
                "why hasn't my deposit shown up", "do you pay on holidays"], [
                "cuándo me pagan", "qué día llega el pago", "mi pago no ha llegado este mes",
                "dónde está mi pago", "calendario de pagos", "mi cheque está atrasado",
                "no recibí mi dinero", "cuándo es el próximo depósito"])),
        Art("direct-deposit", "payments", "Set up or change direct deposit",
            "Sign in, choose Payment details and enter your bank's routing and account "
            "numbers. Changes take effect within 10 days.",
            "1. Sign in and choose **Payment details**.\n2. Enter your bank's routing "
            "number and your account number.\n3. Confirm with the code we send you.\n\n"
            "A change made less than 10 days before a payment date applies from the next "
            "month. **We will never ask for your bank details by text message.**",
            "Configurar o cambiar el depósito directo",
            "Inicie sesión, elija Datos de pago e ingrese el número de ruta y de cuenta de "
            "su banco. Los cambios se aplican en 10 días.",
            "1. Inicie sesión y elija **Datos de pago**.\n2. Ingrese el número de ruta del "
            "banco y su número de cuenta.\n3. Confirme con el código que le enviamos.\n\n"
            "**Nunca le pediremos sus datos bancarios por mensaje de texto.**",
            intent=("direct_deposit", "Direct deposit", A, [
                "change my bank account", "set up direct deposit", "update my bank details",
                "I switched banks", "new bank account for payments",
                "how do I get paid by direct deposit", "change routing number",
                "stop paper checks", "update account number for deposits"], [
                "cambiar mi cuenta de banco", "configurar depósito directo",
                "cambié de banco", "actualizar mis datos bancarios",
                "quiero recibir el pago en mi cuenta", "nuevo número de cuenta"])),
        Art("replace-your-card", "payments", "Replace a lost or stolen benefits card",
            "Report a lost or stolen card right away by phone or in your account; a new "
            "card arrives in 7 to 10 days.",
            "Report it **right away**: call 1-800-555-0111 (24 hours) or sign in and "
            "choose **Card → Report lost or stolen**. We block the old card at once.\n\n"
            "Your new card arrives by mail in 7 to 10 days. Money on the old card is moved "
            "to the new one. If the card was damaged, you can order a replacement the same "
            "way.",
            "Reemplazar una tarjeta de beneficios perdida o robada",
            "Reporte de inmediato una tarjeta perdida o robada por teléfono o en su cuenta; "
            "la nueva llega en 7 a 10 días.",
            "Repórtela **de inmediato**: llame al 1-800-555-0111 (24 horas) o inicie "
            "sesión y elija **Tarjeta → Reportar pérdida o robo**. Bloqueamos la tarjeta "
            "anterior al instante.\n\nLa nueva tarjeta llega por correo en 7 a 10 días. "
            "El dinero de la tarjeta anterior pasa a la nueva.",
            intent=("replace_card", "Replace a card", A, [
                "I lost my benefits card", "my card was stolen", "replace my card",
                "my card is damaged", "order a new EBT card", "card doesn't work anymore",
                "how do I get a new card", "someone took my wallet with my card",
                "my card never arrived", "block my card"], [
                "perdí mi tarjeta", "me robaron la tarjeta", "reemplazar mi tarjeta",
                "mi tarjeta está dañada", "cómo pido una tarjeta nueva",
                "mi tarjeta nunca llegó", "bloquear mi tarjeta"])),
        Art("update-your-address", "account", "Update your address",
            "Sign in and choose Profile → Address, or tell us by phone. Tell us within 10 "
            "days of moving so letters and your card reach you.",
            "Tell us within **10 days** of moving.\n\n- **Online:** sign in, choose "
            "**Profile → Address**.\n- **By phone:** 1-800-555-0100.\n\nIf you moved to "
            "another state, your benefits may change; we will send you a letter.",
            "Actualizar su dirección",
            "Inicie sesión y elija Perfil → Dirección, o avísenos por teléfono. Avísenos en "
            "los 10 días siguientes a la mudanza.",
            "Avísenos dentro de **10 días** después de mudarse.\n\n- **En línea:** inicie "
            "sesión y elija **Perfil → Dirección**.\n- **Por teléfono:** 1-800-555-0100.\n\n"
            "Si se mudó a otro estado, sus beneficios pueden cambiar; le enviaremos una "
            "carta.",
            intent=("update_address", "Update address", A, [
                "I moved and need to update my address", "change my address",
                "new mailing address", "update where you send my letters", "I moved",
                "how do I report a change of address", "I'm moving next month",
                "wrong address on file", "I moved to another state"], [
                "me mudé y necesito actualizar mi dirección", "cambiar mi dirección",
                "nueva dirección postal", "me voy a mudar", "tienen mi dirección equivocada",
                "cómo aviso que me mudé", "me mudé a otro estado"])),
        Art("report-a-change", "account", "Report a change in income or household",
            "Report changes in income, work or who lives with you within 10 days, online "
            "or by phone.",
            "Report within **10 days** if:\n\n- you start or stop a job, or your pay "
            "changes;\n- someone moves in or out;\n- you get other benefits.\n\nSign in "
            "and choose **Report a change**. Reporting late can mean an overpayment you "
            "have to pay back.",
            "Reportar un cambio de ingresos o de hogar",
            "Reporte cambios de ingresos, trabajo o de quién vive con usted en 10 días, en "
            "línea o por teléfono.",
            "Repórtelo dentro de **10 días** si:\n\n- empieza o deja un trabajo, o cambia "
            "su sueldo;\n- alguien se muda a su casa o se va;\n- recibe otros beneficios."
            "\n\nInicie sesión y elija **Reportar un cambio**.",
            intent=("report_change", "Report a change", A, [
                "I got a new job", "my income changed", "report a change in income",
                "someone moved in with me", "I started working", "my hours were cut",
                "do I need to tell you I got a raise", "my son moved out",
                "report household change"], [
                "conseguí un trabajo nuevo", "cambiaron mis ingresos",
                "reportar un cambio de ingresos", "alguien se mudó conmigo",
                "empecé a trabajar", "me redujeron las horas"])),
        Art("sign-in-help", "account", "Trouble signing in",
            "Use “Forgot password” on the sign-in page. If your account is locked, wait 30 "
            "minutes or call us to unlock it.",
            "- **Forgot password:** choose *Forgot password* on the sign-in page; we send a "
            "link to your email.\n- **Locked out:** after 5 wrong tries the account locks "
            "for 30 minutes.\n- **No access to your email or phone:** call 1-800-555-0100 "
            "to verify your identity.",
            "Problemas para iniciar sesión",
            "Use “Olvidé mi contraseña” en la página de inicio de sesión. Si su cuenta está "
            "bloqueada, espere 30 minutos o llámenos.",
            "- **Olvidé mi contraseña:** elija *Olvidé mi contraseña*; le enviamos un "
            "enlace a su correo.\n- **Cuenta bloqueada:** después de 5 intentos fallidos la "
            "cuenta se bloquea 30 minutos.\n- **Sin acceso a su correo o teléfono:** llame "
            "al 1-800-555-0100.",
            intent=("sign_in_help", "Sign-in help", A, [
                "I can't log in", "forgot my password", "the website says my password is "
                "wrong", "my account is locked", "reset password", "can't sign in",
                "I don't get the verification code", "login not working",
                "I changed my phone number and can't log in"], [
                "no puedo iniciar sesión", "olvidé mi contraseña",
                "el sitio web dice que mi contraseña es incorrecta",
                "mi cuenta está bloqueada", "no me llega el código",
                "restablecer contraseña"])),
        Art("appeal-a-decision", "decisions", "Appeal a decision",
            "You have 60 days from the date on your decision letter to appeal. Ask for a "
            "review online, by mail or at an office.",
            "If you disagree with a decision you can ask us to look again.\n\n1. Appeal "
            "within **60 days** of the date on the decision letter.\n2. Sign in and choose "
            "**Appeal**, or send the form on the back of the letter.\n3. Add any new "
            "documents.\n\nIf you appeal within 10 days, your payments can continue while "
            "we decide.",
            "Apelar una decisión",
            "Tiene 60 días desde la fecha de la carta de decisión para apelar. Pida una "
            "revisión en línea, por correo o en una oficina.",
            "Si no está de acuerdo con una decisión, puede pedirnos que la revisemos.\n\n"
            "1. Apele dentro de **60 días** desde la fecha de la carta.\n2. Inicie sesión "
            "y elija **Apelar**, o envíe el formulario al reverso de la carta.\n3. Agregue "
            "documentos nuevos.\n\nSi apela en 10 días, sus pagos pueden continuar mientras "
            "decidimos.",
            intent=("appeal", "Appeal a decision", H, [
                "I want to appeal", "I disagree with the decision",
                "my claim was denied, what now", "how do I appeal a denial",
                "request a reconsideration", "they cut my benefits and it's wrong",
                "I want to challenge the decision", "appeal deadline",
                "fight a denied claim", "the decision is unfair"], [
                "quiero apelar", "no estoy de acuerdo con la decisión",
                "me negaron la solicitud", "cómo apelo", "quiero una reconsideración",
                "me quitaron los beneficios injustamente"])),
        Art("report-fraud", "decisions", "Report fraud or a scam",
            "Report benefits fraud or a scam call online or by phone; you can stay "
            "anonymous. We never ask for payment to process a claim.",
            "- Report online with the fraud form, or call 1-800-555-0199.\n- You can stay "
            "anonymous.\n- **We never call or text to ask for money, gift cards or your "
            "full Social Security number.**\n\nIf someone used your identity, also report it "
            "at IdentityTheft.gov.",
            "Denunciar un fraude o una estafa",
            "Denuncie un fraude de beneficios o una llamada de estafa en línea o por "
            "teléfono; puede hacerlo de forma anónima.",
            "- Denuncie en línea con el formulario de fraude, o llame al "
            "1-800-555-0199.\n- Puede hacerlo de forma anónima.\n- **Nunca llamamos ni "
            "enviamos mensajes para pedir dinero, tarjetas de regalo o su número de Seguro "
            "Social completo.**",
            intent=("report_fraud", "Report fraud", H, [
                "I want to report fraud", "someone is using my identity",
                "I got a scam call about my benefits", "report a scam",
                "someone is cheating the system", "suspicious text asking for my SSN",
                "I think my identity was stolen", "my neighbour gets benefits illegally"], [
                "quiero denunciar un fraude", "alguien usa mi identidad",
                "recibí una llamada de estafa", "me robaron la identidad",
                "mensaje sospechoso pidiendo mi seguro social"])),
        Art("office-appointments", "apply", "Visit a field office",
            "Book an appointment online or by phone; bring a photo ID. Offices are open "
            "Monday to Friday, 9 a.m. to 4 p.m.",
            "Most things can be done online or by phone. If you need to visit:\n\n"
            "- Book an appointment online or at 1-800-555-0100.\n- Bring a photo ID and "
            "your letter.\n- Offices are open Monday to Friday, 9 a.m. to 4 p.m.",
            "Visitar una oficina",
            "Haga una cita en línea o por teléfono; traiga una identificación con foto. Las "
            "oficinas abren de lunes a viernes, de 9 a. m. a 4 p. m.",
            "Casi todo se puede hacer en línea o por teléfono. Si necesita ir:\n\n"
            "- Haga una cita en línea o al 1-800-555-0100.\n- Traiga una identificación con "
            "foto y su carta.\n- Horario: lunes a viernes, de 9 a. m. a 4 p. m.",
            intent=("office_visit", "Visit an office", A, [
                "where is the nearest office", "book an appointment",
                "what are your office hours", "can I walk in without an appointment",
                "schedule a visit", "are you open on saturday", "office near me"], [
                "dónde está la oficina más cercana", "hacer una cita",
                "cuál es el horario de la oficina", "puedo ir sin cita",
                "abren los sábados"])),
        Art("agent-identity-check", "account", "Agent guide: verifying a caller's identity",
            "Ask for two of: date of birth, last 4 of SSN, application number, address on "
            "file. Never read data back to the caller.",
            "Internal procedure.\n\n1. Ask for **two** of: date of birth, last four digits "
            "of the SSN, application number, address on file.\n2. Never read personal data "
            "back to the caller.\n3. If the caller fails twice, offer an office "
            "appointment.",
            "", "", "", audience="internal"),
    ],
    handovers=[("talk_to_person", "Talk to a person", TALK_EN, TALK_ES)],
)

TAX = Content(
    categories=[
        ("refunds", "Refunds", "Reembolsos",
         "Where your refund is and why it may be late.",
         "Dónde está su reembolso y por qué puede tardar."),
        ("pay", "Paying and payment plans", "Pagos y planes de pago",
         "Ways to pay, payment plans and penalties.",
         "Formas de pagar, planes de pago y multas."),
        ("file", "Filing and forms", "Declaraciones y formularios",
         "Deadlines, forms, amending a return and transcripts.",
         "Plazos, formularios, enmiendas y transcripciones."),
        ("identity", "Identity and notices", "Identidad y avisos",
         "Verifying your identity, notices and scams.",
         "Verificar su identidad, avisos y estafas."),
    ],
    articles=[
        Art("refund-status", "refunds", "Check your refund status",
            "Use “Where's my refund” 24 hours after e-filing (4 weeks after mailing). Most "
            "refunds are issued within 21 days.",
            "Use **Where's my refund** with your SSN, filing status and the exact refund "
            "amount.\n\n- E-filed: status from 24 hours after filing.\n- Paper return: "
            "status after about 4 weeks.\n\nMost refunds arrive within **21 days**. It can "
            "take longer if we need to verify your identity or correct the return.",
            "Consultar el estado de su reembolso",
            "Use “¿Dónde está mi reembolso?” 24 horas después de declarar en línea (4 "
            "semanas si envió por correo). La mayoría llega en 21 días.",
            "Use **¿Dónde está mi reembolso?** con su número de Seguro Social, su estado "
            "civil tributario y el monto exacto.\n\n- En línea: estado desde 24 horas "
            "después.\n- En papel: estado después de unas 4 semanas.\n\nLa mayoría de los "
            "reembolsos llega en **21 días**.",
            intent=("refund_status", "Refund status", A, [
                "where is my refund", "when will I get my tax refund",
                "check refund status", "my refund is late", "how long does a refund take",
                "it's been a month and no refund", "refund still processing",
                "did you send my refund", "track my tax refund",
                "why is my refund taking so long", "refund amount different than expected"], [
                "dónde está mi reembolso", "cuándo recibo mi reembolso",
                "consultar estado del reembolso", "mi reembolso está atrasado",
                "cuánto tarda el reembolso", "ya pasó un mes y no llega mi reembolso",
                "por qué tarda tanto mi reembolso"])),
        Art("payment-plans", "pay", "Set up a payment plan",
            "If you can't pay in full, apply online for a short-term plan (up to 180 days) "
            "or a monthly installment agreement.",
            "- **Short-term plan:** pay in full within 180 days; no setup fee.\n- "
            "**Monthly installment agreement:** if you owe less than $50,000; a setup fee "
            "applies (lower with direct debit).\n\nApply online, by phone or by mail. "
            "Interest and penalties continue until the balance is paid.",
            "Establecer un plan de pagos",
            "Si no puede pagar todo, solicite en línea un plan a corto plazo (hasta 180 "
            "días) o un acuerdo de pagos mensuales.",
            "- **Plan a corto plazo:** pague todo en 180 días; sin cargo.\n- **Acuerdo de "
            "pagos mensuales:** si debe menos de $50,000; hay un cargo inicial.\n\nSolicite "
            "en línea, por teléfono o por correo. Los intereses continúan hasta pagar el "
            "saldo.",
            intent=("payment_plan", "Payment plan", A, [
                "I can't pay my taxes", "set up a payment plan", "pay in installments",
                "monthly payments for what I owe", "I owe more than I can pay",
                "installment agreement", "can I pay over time",
                "how much is the payment plan fee", "I need more time to pay",
                "change my payment plan"], [
                "no puedo pagar mis impuestos", "quiero un plan de pagos",
                "pagar en cuotas", "pagos mensuales de lo que debo",
                "necesito más tiempo para pagar", "acuerdo de pagos"])),
        Art("ways-to-pay", "pay", "Ways to pay",
            "Pay online from your bank account for free, by card (a processor fee applies), "
            "or by check or money order.",
            "- **Bank account (free):** online, any time.\n- **Debit or credit card:** "
            "through an approved processor (fee).\n- **Check or money order:** payable to "
            "the Revenue Service, with your SSN and the tax year.\n\nNever pay with gift "
            "cards — that is always a scam.",
            "Formas de pagar",
            "Pague en línea desde su cuenta bancaria sin costo, con tarjeta (con cargo del "
            "procesador) o con cheque o giro postal.",
            "- **Cuenta bancaria (gratis):** en línea, en cualquier momento.\n- **Tarjeta "
            "de débito o crédito:** con un procesador aprobado (con cargo).\n- **Cheque o "
            "giro postal.**\n\nNunca pague con tarjetas de regalo: siempre es una estafa.",
            intent=("ways_to_pay", "Ways to pay", A, [
                "how do I pay my taxes", "can I pay with a credit card",
                "pay my balance online", "where do I mail a check", "pay tax bill",
                "is there a fee to pay by card", "make a payment"], [
                "cómo pago mis impuestos", "puedo pagar con tarjeta de crédito",
                "pagar mi saldo en línea", "a dónde envío el cheque", "hacer un pago"])),
        Art("tax-forms", "file", "Get tax forms",
            "Download any form or its instructions online, or order paper forms by phone; "
            "they arrive in about 10 days.",
            "All current and past forms and instructions can be downloaded as PDF.\n\n"
            "- Order paper forms at 1-800-555-0200 (about 10 days).\n- Libraries and post "
            "offices have the most common forms during filing season.",
            "Obtener formularios de impuestos",
            "Descargue cualquier formulario o sus instrucciones en línea, o pida "
            "formularios en papel por teléfono; llegan en unos 10 días.",
            "Todos los formularios e instrucciones se pueden descargar en PDF.\n\n- Pida "
            "formularios en papel al 1-800-555-0200 (unos 10 días).",
            intent=("tax_forms", "Tax forms", A, [
                "where can I get tax forms", "download form 1040",
                "I need a paper form", "instructions for the tax form",
                "order forms by mail", "which form do I use", "prior year forms"], [
                "dónde consigo formularios de impuestos", "descargar formulario",
                "necesito un formulario en papel", "instrucciones del formulario",
                "qué formulario uso"])),
        Art("identity-verification", "identity", "Verify your identity",
            "If we sent a letter asking you to verify your identity, do it online or by "
            "phone with the letter and last year's return. Your refund is held until then.",
            "We hold a return when we need to be sure you filed it.\n\n1. Have the letter, "
            "your return and last year's return ready.\n2. Verify online, or call the "
            "number on the letter.\n\nAfter you verify, your refund is usually issued in "
            "about 9 weeks. If you did **not** file the return, tell us — someone may have "
            "used your identity.",
            "Verificar su identidad",
            "Si le enviamos una carta para verificar su identidad, hágalo en línea o por "
            "teléfono con la carta y la declaración del año pasado.",
            "Retenemos una declaración cuando necesitamos confirmar que usted la "
            "presentó.\n\n1. Tenga la carta, su declaración y la del año pasado.\n2. "
            "Verifique en línea o llame al número de la carta.\n\nDespués de verificar, el "
            "reembolso suele llegar en unas 9 semanas.",
            intent=("identity_verification", "Identity verification", A, [
                "I got a letter to verify my identity", "verify my identity",
                "how do I confirm my identity", "identity verification letter",
                "my return is on hold for identity", "you need to verify who I am",
                "letter asking me to prove it's me"], [
                "recibí una carta para verificar mi identidad", "verificar mi identidad",
                "cómo confirmo mi identidad", "mi declaración está retenida",
                "carta para comprobar quién soy"])),
        Art("respond-to-a-notice", "identity", "Respond to a notice",
            "Read the notice, check it against your return and respond by the date on it. "
            "If you agree, pay or do what it asks; if not, send your explanation.",
            "1. Read the notice: it says what changed and what to do.\n2. Compare it with "
            "your return.\n3. **Agree:** pay or do what it asks.\n4. **Disagree:** reply by "
            "the date on the notice with your explanation and copies of documents.\n\n"
            "Keep a copy of the notice.",
            "Responder a un aviso",
            "Lea el aviso, compárelo con su declaración y responda antes de la fecha "
            "indicada.",
            "1. Lea el aviso: dice qué cambió y qué hacer.\n2. Compárelo con su "
            "declaración.\n3. **Si está de acuerdo:** pague o haga lo que pide.\n4. **Si no "
            "está de acuerdo:** responda antes de la fecha con su explicación.",
            intent=("respond_notice", "Respond to a notice", A, [
                "I got a notice in the mail", "what does this letter mean",
                "I received a tax notice", "how do I respond to a notice",
                "you say I owe money", "I disagree with the notice",
                "letter says my return was changed"], [
                "recibí un aviso por correo", "qué significa esta carta",
                "cómo respondo a un aviso", "dicen que debo dinero",
                "no estoy de acuerdo con el aviso"])),
        Art("filing-deadlines", "file", "Filing deadlines and extensions",
            "Returns are due April 15. You can get an automatic 6-month extension to file, "
            "but not to pay.",
            "- Returns are due **April 15** (the next business day if it is a weekend or "
            "holiday).\n- Ask for an automatic **6-month extension** to file by the due "
            "date.\n- An extension to file is **not** an extension to pay: pay what you "
            "expect to owe by April 15.",
            "Plazos y prórrogas",
            "Las declaraciones vencen el 15 de abril. Puede obtener una prórroga automática "
            "de 6 meses para declarar, pero no para pagar.",
            "- Las declaraciones vencen el **15 de abril**.\n- Pida una **prórroga "
            "automática de 6 meses** antes de esa fecha.\n- La prórroga para declarar "
            "**no** es una prórroga para pagar.",
            intent=("filing_deadline", "Filing deadline", A, [
                "when is the tax deadline", "can I get an extension",
                "I need more time to file", "last day to file taxes",
                "what happens if I file late", "extension to file"], [
                "cuándo vence la declaración", "puedo pedir una prórroga",
                "necesito más tiempo para declarar", "qué pasa si declaro tarde"])),
        Art("amend-a-return", "file", "Correct (amend) a return",
            "File an amended return if you left out income or claimed the wrong credit. "
            "Wait until your original return is processed.",
            "- Wait until the original return is processed.\n- File the amended return "
            "online or on paper, with any new forms.\n- Processing takes up to 16 weeks.",
            "Corregir (enmendar) una declaración",
            "Presente una declaración enmendada si omitió ingresos o pidió un crédito "
            "equivocado.",
            "- Espere a que se procese la declaración original.\n- Presente la enmienda en "
            "línea o en papel.\n- El proceso tarda hasta 16 semanas.",
            intent=("amend_return", "Amend a return", A, [
                "I made a mistake on my return", "how do I amend my taxes",
                "forgot to include a W-2", "correct my tax return", "file an amended return",
                "I claimed the wrong credit"], [
                "cometí un error en mi declaración", "cómo enmiendo mi declaración",
                "olvidé incluir un formulario", "corregir mi declaración"])),
        Art("get-a-transcript", "file", "Get a tax transcript",
            "Download a transcript of your return online at once, or order one by mail "
            "(5 to 10 days).",
            "A transcript summarises your return; lenders often ask for one.\n\n- "
            "**Online:** sign in and download it at once.\n- **By mail:** order online or "
            "by phone; it arrives in 5 to 10 days.",
            "Obtener una transcripción de impuestos",
            "Descargue una transcripción de su declaración en línea al instante, o pídala "
            "por correo (5 a 10 días).",
            "Una transcripción resume su declaración; los bancos suelen pedirla.\n\n- **En "
            "línea:** descárguela al instante.\n- **Por correo:** llega en 5 a 10 días.",
            intent=("transcript", "Tax transcript", A, [
                "I need a copy of my tax return", "get a tax transcript",
                "my lender needs my tax records", "proof of income from taxes",
                "download last year's return"], [
                "necesito una copia de mi declaración", "obtener una transcripción",
                "el banco me pide mis impuestos", "descargar la declaración del año pasado"])),
        Art("change-of-address", "identity", "Change your address",
            "Update your address on your next return, online in your account, or with the "
            "change-of-address form.",
            "- Online: sign in and choose **Profile**.\n- Or send the change-of-address "
            "form.\n- Or just use the new address on your next return.\n\nIt takes 4 to 6 "
            "weeks to process.",
            "Cambiar su dirección",
            "Actualice su dirección en su próxima declaración, en línea en su cuenta o con "
            "el formulario de cambio de dirección.",
            "- En línea: inicie sesión y elija **Perfil**.\n- O envíe el formulario de "
            "cambio de dirección.\n\nEl cambio tarda de 4 a 6 semanas.",
            intent=("tax_address", "Change address", A, [
                "I moved, how do I update my address", "change my address with you",
                "new address for tax letters", "update mailing address"], [
                "me mudé, cómo actualizo mi dirección", "cambiar mi dirección",
                "nueva dirección para las cartas"])),
        Art("report-tax-scam", "identity", "Report a tax scam or identity theft",
            "We never call to demand immediate payment or ask for gift cards. Report scams "
            "and tax identity theft to us.",
            "**We never** call to demand immediate payment, threaten arrest, or ask for "
            "gift cards or crypto.\n\n- Report a scam call, email or text to us.\n- If "
            "someone filed a return in your name, file an identity theft affidavit.",
            "Denunciar una estafa o robo de identidad tributaria",
            "Nunca llamamos para exigir un pago inmediato ni pedimos tarjetas de regalo. "
            "Denuncie las estafas y el robo de identidad.",
            "**Nunca** llamamos para exigir un pago inmediato, amenazar con arresto o pedir "
            "tarjetas de regalo.\n\n- Denuncie llamadas, correos o mensajes de estafa.\n- "
            "Si alguien presentó una declaración a su nombre, presente una declaración "
            "jurada de robo de identidad.",
            intent=("report_scam", "Report a scam or identity theft", H, [
                "someone filed a return in my name", "scam call from the tax office",
                "they threatened to arrest me", "report identity theft",
                "I got an email asking for my bank details", "is this call a scam",
                "someone asked me to pay with gift cards"], [
                "alguien presentó una declaración a mi nombre",
                "llamada de estafa de impuestos", "me amenazaron con arresto",
                "denunciar robo de identidad", "me pidieron pagar con tarjetas de regalo"])),
        Art("agent-payment-plan-rules", "pay", "Agent guide: payment plan eligibility",
            "Short-term plans: any balance, 180 days. Installment agreements: under $50,000 "
            "and all returns filed. Escalate anything else to a supervisor.",
            "Internal.\n\n- Short-term: any balance, up to 180 days.\n- Installment: owes "
            "under $50,000 and has filed all required returns.\n- Otherwise escalate to a "
            "supervisor.",
            "", "", "", audience="internal"),
    ],
    handovers=[("talk_to_person", "Talk to a person", TALK_EN, TALK_ES)],
)


# More phrasings for the intents whose lists above are short (added to them when seeding).
EXTRA: dict[str, tuple[list[str], list[str]]] = {
    "report_fraud": (["how do I report benefits fraud anonymously",
                      "a caller said my benefits will stop unless I pay a fee",
                      "someone opened a claim in my name"],
                     ["cómo denuncio un fraude sin dar mi nombre",
                      "alguien abrió una solicitud a mi nombre"]),
    "office_visit": (["do I need an appointment to visit", "what should I bring to the office",
                      "I want to go in person", "when does the office close"],
                     ["qué debo llevar a la oficina", "quiero ir en persona",
                      "a qué hora cierra la oficina"]),
    "ways_to_pay": (["can I pay from my bank account", "pay what I owe",
                     "options to pay my tax bill", "can I pay in cash"],
                    ["puedo pagar desde mi cuenta bancaria", "opciones para pagar lo que debo",
                     "puedo pagar en efectivo"]),
    "tax_forms": (["I need the form for my taxes", "get a copy of the 1040 instructions",
                   "where do I find the schedule forms", "print a tax form"],
                  ["dónde encuentro los formularios", "imprimir un formulario de impuestos",
                   "necesito el formulario para declarar"]),
    "identity_verification": (["why is my return on hold", "the letter says to confirm I filed",
                               "verify my return online", "I got letter 5071C"],
                              ["por qué retienen mi declaración", "confirmar que yo presenté la "
                               "declaración", "verificar mi declaración en línea"]),
    "respond_notice": (["got a letter saying I owe more tax", "the notice has a deadline",
                        "how do I answer this letter", "I don't understand the notice I got"],
                       ["recibí una carta que dice que debo más impuestos",
                        "cómo contesto esta carta", "no entiendo el aviso que recibí"]),
    "filing_deadline": (["when are taxes due", "is the deadline april 15",
                         "how do I file for an extension", "I missed the tax deadline",
                         "penalty for filing late", "deadline to file this year"],
                        ["cuál es la fecha límite para declarar", "cómo pido una extensión",
                         "se me pasó la fecha límite", "multa por declarar tarde"]),
    "amend_return": (["I need to fix my tax return", "change a return I already filed",
                      "I got another W-2 after filing", "wrong income on my return",
                      "how long does an amended return take", "correct a mistake on my taxes"],
                     ["necesito arreglar mi declaración", "cambiar una declaración ya "
                      "presentada", "recibí otro W-2 después de declarar",
                      "cuánto tarda una enmienda"]),
    "transcript": (["how do I get my tax transcript", "copy of last year's taxes",
                    "need tax records for a mortgage", "order a transcript by mail",
                    "where can I download my transcript", "proof I filed taxes",
                    "old tax returns"],
                   ["cómo obtengo mi transcripción", "necesito mis impuestos para una "
                    "hipoteca", "pedir una transcripción por correo",
                    "comprobante de que presenté impuestos"]),
    "tax_address": (["I have a new address", "how do I let you know I moved",
                     "you sent my letter to my old address", "change of address form",
                     "update my address for my refund check", "my address is wrong",
                     "I'm moving, where do I update it", "moved to a new state",
                     "how long does an address change take"],
                    ["tengo una dirección nueva", "cómo les aviso que me mudé",
                     "mandaron la carta a mi dirección anterior",
                     "formulario de cambio de dirección", "mi dirección está mal",
                     "me mudé a otro estado"]),
    "report_scam": (["a text says I have a refund waiting, is it real",
                     "someone called saying they are from the tax office",
                     "got an email about my tax refund with a link",
                     "they want me to pay with bitcoin"],
                    ["un mensaje dice que tengo un reembolso, es real",
                     "alguien llamó diciendo que es de la oficina de impuestos",
                     "me quieren cobrar con bitcoin"]),
}


def content_for(agency: Agency) -> Content:
    slug = agency.slug.lower()
    return TAX if ("tax" in slug or "revenue" in slug) else BENEFITS


def _editor(agency: Agency) -> Any:
    user_model = get_user_model()
    name = f"{agency.slug}-editor"
    user = user_model.objects.filter(username=name).first()
    if user is None:
        user = user_model.objects.create_user(name, f"{name}@demo.gov", PASSWORD,
                                              first_name="Knowledge editor")
    membership_set(user=user, agency=agency, role=Role.KNOWLEDGE_EDITOR)
    return user


@transaction.atomic
def assist_demo_seed(*, agencies: list[Agency]) -> dict[str, int]:
    """Categories, published articles and intents for each agency (skips what exists)."""
    made = {"categories": 0, "articles": 0, "intents": 0, "examples": 0}
    for agency in agencies:
        content = content_for(agency)
        editor = _editor(agency)
        cats: dict[str, Category] = {}
        for pos, (slug, name_en, name_es, den, des) in enumerate(content.categories):
            cat = Category.objects.filter(agency=agency, slug=slug).first()
            if cat is None:
                cat = knowledge.category_create(agency=agency, actor=editor, slug=slug,
                                                name_en=name_en, name_es=name_es,
                                                description_en=den,
                                                description_es=des, position=pos)
                made["categories"] += 1
            cats[slug] = cat
        for art in content.articles:
            article = Article.objects.filter(agency=agency, slug=art.slug).first()
            if article is None:
                article = knowledge.article_create(
                    agency=agency, actor=editor, slug=art.slug, category=cats[art.category],
                    audience=art.audience, text=knowledge.VersionText(
                        title_en=art.title_en, summary_en=art.summary_en, body_en=art.body_en,
                        title_es=art.title_es, summary_es=art.summary_es, body_es=art.body_es))
                knowledge.article_transition(article=article, actor=editor,
                                             to_status=Article.Status.IN_REVIEW)
                knowledge.article_transition(article=article, actor=editor,
                                             to_status=Article.Status.PUBLISHED,
                                             note="Demo content")
                made["articles"] += 1
            if art.intent is not None:
                name, title, kind, en, es = art.intent
                made["intents"], made["examples"] = _intent(agency, name, title, kind, article,
                                                            en, es, made["intents"],
                                                            made["examples"])
        for name, title, en, es in content.handovers:
            made["intents"], made["examples"] = _intent(agency, name, title, H, None, en, es,
                                                        made["intents"], made["examples"])
    return made


def _intent(agency: Agency, name: str, title: str, kind: str, article: Article | None,
            en: list[str], es: list[str], n_intents: int, n_examples: int) -> tuple[int, int]:
    intent, created = Intent.objects.get_or_create(
        agency=agency, name=name, defaults={"title": title, "kind": kind, "article": article})
    if not created:
        return n_intents, n_examples
    more_en, more_es = EXTRA.get(name, ([], []))
    en, es = [*en, *more_en], [*es, *more_es]
    IntentExample.objects.bulk_create(
        [IntentExample(intent=intent, text=t, language="en") for t in en]
        + [IntentExample(intent=intent, text=t, language="es") for t in es])
    return n_intents + 1, n_examples + len(en) + len(es)
