/**
 * What the user reads around a handover, in Colombian Spanish ("tú", like the bot's catalog in
 * bot/messages.es.ts). One place so the copy can be reviewed or replaced.
 */
export const bridgeEs = {
  connecting: 'Conectando con un asesor… ⏳ En un momento alguien de nuestro equipo te escribirá por aquí.',
  agentJoined: (agentName: string): string => `${agentName} se unió a la conversación. 👋`,
  resolved: '¡Listo! ✅ Tu consulta quedó resuelta. Gracias por tu paciencia.',
  crmDelayed: (phone: string): string =>
    `Estamos teniendo demoras para conectarte con un asesor. 🙏 Seguimos intentando; si es urgente, llámanos al ${phone}.`,
  agentsBusy: (phone: string): string =>
    `Nuestros asesores están ocupados en este momento. 🙏 Tu solicitud sigue en la fila y ya la marcamos como prioritaria. Si es urgente, llámanos al ${phone}.`,
  assignmentTimeout: (phone: string): string =>
    `No logramos conectarte con un asesor esta vez. 😓 Puedes intentarlo de nuevo más tarde desde el menú o llamarnos al ${phone}.`,
  leave: {
    question: '¿Quieres terminar la conversación con el asesor y volver al menú?',
    yes: 'Sí, terminar',
    no: 'No, seguir',
    cancelled: 'Perfecto, sigues en la conversación con el asesor. 🙂',
    done: 'Listo, terminamos la conversación con el asesor.',
  },
} as const;
