/**
 * Every user-facing string of the bot, in Colombian Spanish (es-CO), addressing the user as "tú".
 * One file so the copy can be reviewed or replaced without touching the flow; templated strings
 * are functions. Lengths matter: interactive bodies ≤ 1024, button titles ≤ 20, list row titles
 * ≤ 24 and descriptions ≤ 72 characters (checked by test/bot/copy-review.test.ts).
 *
 * The "Conectando con un asesor…" message is not here: the CRM bridge sends it when it opens
 * the ticket, so the bot's handover effect says nothing itself.
 */
export const es = {
  greeting: (name: string | undefined): string =>
    `¡Hola${name ? `, ${name}` : ''}! 👋 Te damos la bienvenida. Soy el asistente virtual y estoy aquí para ayudarte.`,

  menu: {
    firstQuestion: '¿Qué necesitas hoy?',
    question: '¿En qué más te puedo ayudar?',
    button: 'Ver opciones',
    section: 'Menú principal',
    footer: 'También puedes escribir el número de la opción',
    options: {
      account: { title: '1. Mi servicio y factura', description: 'Tu plan, el estado del servicio, el saldo y la fecha de pago' },
      support: { title: '2. Soporte técnico', description: 'Te ayudo paso a paso si tu internet está fallando' },
      agent: { title: '3. Hablar con un asesor', description: 'Te comunico con una persona de nuestro equipo' },
      plans: { title: '4. Planes y promociones', description: 'Conoce nuestros planes de internet para tu hogar' },
    },
    hint: 'No te entendí. 🤔 Elige una opción de la lista o escribe un número del 1 al 4.',
  },

  auth: {
    intro: 'Para continuar necesito validar tu identidad. 🔒',
    introForAgent: 'Con gusto te comunico con un asesor. Primero necesito validar tu identidad. 🔒',
    ask: 'Escribe tu número de documento, solo números (sin puntos ni espacios).',
    orCall: (phone: string): string => `Si prefieres, también puedes llamarnos al ${phone}.`,
    hint: 'Ese no parece un número de documento. Escríbelo solo con números, entre 5 y 12 dígitos, sin letras.',
    ok: (name: string | undefined): string => `¡Gracias${name ? `, ${name}` : ''}! Ya validé tu identidad. ✅`,
    notFound: (attemptsLeft: number): string =>
      `No encontré ese número de documento. 🤔 Revísalo y escríbelo de nuevo (te ${attemptsLeft === 1 ? 'queda 1 intento' : `quedan ${attemptsLeft} intentos`}).`,
    locked: (minutes: number, phone: string): string =>
      `Por tu seguridad, pausamos la validación de identidad durante ${minutes} ${minutes === 1 ? 'minuto' : 'minutos'}. Si necesitas ayuda ya mismo, llámanos al ${phone}.`,
    busy: (phone: string): string =>
      `Nuestro sistema está muy ocupado y no pude validar tu documento en este momento. 😓 Escríbelo de nuevo en unos minutos o llámanos al ${phone}.`,
  },

  account: {
    title: (name: string | undefined): string => `${name ? `${name}, este` : 'Este'} es el resumen de tu servicio:`,
    plan: (plan: string): string => `• Plan: ${plan}`,
    status: (status: string): string => `• Estado del servicio: ${status}`,
    active: 'Activo',
    suspended: 'Suspendido',
    balance: (balance: string): string => `• Saldo: ${balance}`,
    dueDate: (date: string): string => `• Fecha límite de pago: ${date}`,
    suspendedHelp: 'Tu servicio está suspendido. Si quieres reactivarlo, elige *Hablar con un asesor*.',
  },

  support: {
    question: 'Cuéntame, ¿qué está pasando con tu internet?',
    topics: { no_internet: 'Sin internet', slow: 'Internet lento', other: 'Otro problema' },
    hint: 'Elige una de las opciones o escribe 1, 2 o 3.',
    steps: {
      no_internet:
        'Probemos esto:\n1. Desconecta el módem de la corriente, espera 30 segundos y vuelve a conectarlo.\n2. Espera unos 3 minutos a que las luces se estabilicen y revisa que los cables estén bien conectados.',
      slow:
        'Probemos esto:\n1. Reinicia el módem: desconéctalo 30 segundos y vuelve a conectarlo.\n2. Acércate al módem o conecta tu equipo con cable, y pausa las descargas y videos en otros equipos.',
      other:
        'Probemos esto:\n1. Reinicia el módem: desconéctalo 30 segundos y vuelve a conectarlo.\n2. Reinicia también el equipo donde tienes el problema (celular, computador o televisor).',
    },
    solvedQuestion: '¿Se solucionó?',
    yes: 'Sí, se solucionó',
    no: 'No, sigue igual',
    confirmHint: 'Respóndeme *sí* o *no*, por favor.',
    solved: '¡Qué bueno que ya funciona! 🙌',
  },

  plans: {
    intro: 'Estos son nuestros planes de internet para el hogar:',
    line: (name: string, price: string): string => `• ${name}: ${price} al mes`,
    question: '¿Cuál te interesa?',
    button: 'Ver planes',
    section: 'Planes hogar',
    hint: 'Elige un plan de la lista o escribe su número.',
    askName: (planName: string): string =>
      `¡Buena elección! 🙌 El plan ${planName} es una gran opción.\n\n¿Cuál es tu nombre? Así un asesor comercial podrá contactarte.`,
    nameQuestion: '¿Cuál es tu nombre?',
    nameHint: 'Escríbeme solo tu nombre, por ejemplo: Ana María.',
    // The qualification questions, asked after the name (Sí / No buttons, or typed).
    questionsIntro: (name: string | undefined): string =>
      `¡Mucho gusto${name ? `, ${name}` : ''}! 🙌 Para que el asesor comercial te ayude mejor, respóndeme 3 preguntas rápidas.`,
    budgetQuestion: (planName: string | undefined): string => `¿Ya tienes presupuesto para ${planName ? `el plan ${planName}` : 'este plan'}?`,
    timelineQuestion: '¿Te gustaría instalarlo en el próximo mes?',
    deciderQuestion: '¿Eres tú quien decide la contratación?',
    yes: 'Sí',
    no: 'No',
    answerHint: 'No te entendí. 🤔 Respóndeme *sí* o *no*, por favor.',
    thanks: (name: string | undefined, planName: string): string =>
      `¡Gracias${name ? `, ${name}` : ''}! 🙌 Un asesor comercial te escribirá muy pronto por este medio para contarte todo sobre el plan ${planName}.`,
    failed: (phone: string): string =>
      `Uy, no pude guardar tus datos en este momento. 😓 Para no dejarte esperando, llámanos al ${phone} y con gusto te atendemos.`,
  },

  handover: {
    failed: (phone: string): string =>
      `En este momento no pude comunicarte con un asesor. 😓 Intenta de nuevo en unos minutos o llámanos al ${phone}.`,
    ended: 'Tu conversación con el asesor terminó. ¡Gracias por escribirnos!',
  },

  general: {
    goodbye: '¡Gracias por escribirnos! 👋 Cuando nos necesites, escribe *menú* y aquí estaré.',
    stale: 'Esa opción ya no está disponible. Te muestro las opciones actuales.',
    mediaNotSupported: 'Por este medio solo puedo leer mensajes de texto y las opciones que te muestro. 🙏',
    offerHelp: (phone: string): string =>
      `Parece que no logro entenderte. 🙈 Puedo mostrarte el menú o comunicarte con un asesor. Si prefieres, llámanos al ${phone}.`,
    offerMenu: 'Menú principal',
    offerAgent: 'Hablar con asesor',
  },
} as const;
