//! Les messages en français.

use super::M;

#[rustfmt::skip]
pub fn text(m: M) -> &'static str {
    match m {
        M::AFilteringPageAnswers => "une page de filtrage répond à la place du service",
        M::AReportCouldNot => " — un rapport n'a pas pu être écrit",
        M::Allow => "autoriser",
        M::AllowTheseHostsWithout => "permettre l'accès à ces hôtes sans identification au proxy (ou fournir l'identifiant à utiliser)",
        M::And => "et",
        M::AndItCouldNot => "Et il n'a pas pu être enregistré :",
        M::AskForTheseRelays => "Demandez d'exempter ces relais du proxy.",
        M::Attendee => "participant",
        M::AudioMayBreakUp => "l'audio peut hacher, la vidéo se figer",
        M::BInterruptedPartialReport => " — <b>interrompu : rapport partiel</b>",
        M::BigBlueButton => "BigBlueButton",
        M::Blocked => "bloqué",
        M::BlockedFrBloquee => "bloquée(s)",
        M::BlockedFrSalle => "salle(s) bloquée(s)",
        M::CanThisRoomS => "Le réseau de cette salle permet-il le webinaire ?",
        M::CannotRead => "lecture impossible : ",
        M::CertificateAndKey => "certificat et clé : ",
        M::CertificateIssuedBy => "certificat émis par",
        M::CheckInterruptedCtrlC => "Vérification interrompue (Ctrl-C) avant la fin : rien n'est conclu, relancez-la jusqu'au bout.",
        M::CloseQuote => " »",
        M::CollectTokenTheToken => "--collect-token : le jeton est vide",
        M::CollegeMiddleSchool => "collège",
        M::Colon => " : ",
        M::Confidence => "confiance",
        M::ConnectionRefusedAFirewall => "connexion refusée : un pare-feu rejette ce port, ou rien n'y écoute",
        M::Contact => "À contacter :",
        M::Containing => "contenant",
        M::Copied => "Copié ✔",
        M::CopyTheTicket => "Copier le ticket",
        M::Default => "par défaut",
        M::Degraded => "dégradé",
        M::Department => "département",
        M::Dept => "dép.",
        M::Desk => "Guichet",
        M::Detail => "Détail",
        M::Direct => "en direct :",
        M::DirectAccessIsClosed => "l'accès direct est fermé : ce réseau impose un proxy",
        M::DurationMustBeBetween => "--duration doit être entre 1 et 60 secondes",
        M::EGRelayExample => "par ex. relay.example.org, relay.example.org:443 ou turns:relay.example.org:443?transport=tcp",
        M::EcolePrimarySchool => "école",
        M::EncryptionIsInterceptedA => "le chiffrement est intercepté : un pare-feu présente son propre certificat (inspection TLS)",
        M::Engine => "moteur",
        M::EstimatedNeed => "besoin estimé",
        M::EveryTest => "Détail des tests",
        M::EverythingThatCouldBe => "Tout ce qui a pu être testé répond depuis ce réseau ; ce que la plateforme ne publie pas n'a pas été testé (voir les remarques).",
        M::EverythingTheBrowserUses => "Tout ce que le navigateur utilise répond depuis ce réseau.",
        M::EvidenceLikelyFirewall => "Indices (pare-feu probable :",
        M::ExitCode => "code de sortie",
        M::Failed => "échec",
        M::File => "Fichier",
        M::FileNotFound => "fichier introuvable",
        M::FindWhereUDPIs => "chercher d'où viennent les pertes UDP (équipement saturé, limitation UDP, Wi-Fi) : l'audio en direct ne tolère pas plus de 1 % de perte",
        M::Firewall => "Pare-feu",
        M::ForInformationNeverChanges => "pour information (ne change jamais le verdict)",
        M::GiveUaiOrDepartment => "(Précisez --uai ou --department et --kind pour un routage plus sûr.)",
        M::GoodToKnow => "À savoir :",
        M::Group => "groupe",
        M::HTTPSTheRealService => "HTTPS (le vrai service répond, pas une page de blocage) :",
        M::HeaderServer => "en-tête Server:",
        M::HeaderVia => "en-tête Via:",
        M::HelloIHaveTo => "Bonjour, je dois intervenir dans un webinaire depuis cet établissement. Un test réseau (preflight) montre que le réseau de la salle ne permet rien :",
        M::HelloIHaveToSpeak => "Bonjour, je dois intervenir dans un webinaire depuis cet établissement. Un test réseau (preflight) montre que tout est joignable, mais que la liaison ne suffit pas au flux de l'intervenant :",
        M::HelloIHaveToSpeakIn => "Bonjour, je dois intervenir dans un webinaire depuis cet établissement. Un test réseau (preflight) montre que les flux suivants ne passent pas :",
        M::IdleLatency => "latence au repos",
        M::IfMediaCannotGet => "Si le média ne passe pas :",
        M::Incomplete => "incomplet",
        M::IncompleteInterrupted => "incomplet (interrompu)",
        M::InterruptedCtrlCBefore => "Interrompu (Ctrl-C) avant la fin des tests : rien n'est conclu.",
        M::InterruptedPartialReport => " — interrompu, rapport partiel",
        M::InvalidCertificateExpiredOr => "certificat invalide (expiré, ou pour un autre nom ; vérifiez l'heure de l'ordinateur)",
        M::Issuer => "émetteur",
        M::LatencyIdle => "Latence au repos",
        M::LatencyRisesSharplyWhen => "la latence monte fortement quand la liaison est chargée : le son prendra du retard",
        M::LatencyWhileUploading => "latence pendant l'envoi",
        M::LikelyFirewall => "Pare-feu probable :",
        M::LikelyFirewallFrPare => "Pare-feu probable",
        M::LiveAudioAndVideo => "l'audio et la vidéo en direct ne tiendront pas",
        M::LoadedLatency => "latence en charge",
        M::LossJitterOrLatency => "pertes, gigue ou latence trop fortes pour l'audio et la vidéo en direct",
        M::LossJitterRTT => "perte / gigue / RTT",
        M::LyceeHighSchool => "lycée",
        M::MLabSServers => "les serveurs de M-Lab n'ont pas d'écho UDP : hébergez preflight serve et indiquez-le avec --bandwidth-url",
        M::MappedAddress => "adresse vue",
        M::MeasuredTo => "Mesuré vers",
        M::MeasuringPathQualityAnd => "mesure de la qualité du chemin et du débit montant…",
        M::MediaGetOutOnly => "le média ne sort que par le proxy :",
        M::MeetingLinkOrBigBlueButton => "Lien de la réunion ou nom du serveur BigBlueButton (Entrée pour passer) :",
        M::Microphone => "micro",
        M::MicrophoneOnly => "micro seul",
        M::MicrophoneScreenSharingCamera => "micro + partage d'écran, caméra coupée",
        M::NameDivertedTo => "nom détourné vers",
        M::Needed => "besoin :",
        M::NeededFrBesoin => "besoin",
        M::Network => "Réseau",
        M::NoAddress => "pas d'adresse",
        M::NoAnswerInTime => "aucune réponse dans le délai : les paquets sont probablement jetés par un pare-feu",
        M::NoAnswerToAny => "aucun paquet n'a reçu de réponse",
        M::NoCertificateInThis => "aucun certificat dans ce fichier PEM",
        M::NoDNSServerIs => "Aucun serveur DNS n'est configuré sur cet ordinateur : il n'est probablement pas connecté au réseau (Wi-Fi coupé, câble débranché). Connectez-le au réseau de la salle, puis relancez preflight.",
        M::NoPrivateKeyIn => "aucune clé privée dans ce fichier PEM",
        M::NoReportReceivedYet => "Aucun rapport reçu pour l'instant ; cette page se met à jour toute seule",
        M::NoSpaceLeft => "disque plein",
        M::NoUsableAnswer => "aucune réponse utilisable",
        M::None => "aucun",
        M::NoneConfigured => "aucun n'est configuré",
        M::NoneDirectAccess => "aucun (accès direct)",
        M::NormalAnswer => "réponse normale :",
        M::NotEnoughForThe => "insuffisant pour le flux à envoyer",
        M::NotGivenRunAgain => "non précisé (relancez avec --venue \"salle\" --uai CODE)",
        M::NotIdentified => "non identifié",
        M::NotMeasuredNoUDP => "non mesuré (pas d'écho UDP chez ce pair de mesure)",
        M::NotMeasuredUDPDoes => "non mesurée — l'UDP ne passe pas, le média prendra le repli TCP/TLS",
        M::NotPublishedByThe => "Non publié par la plateforme, donc non testé :",
        M::NotTested => "non testé",
        M::NotTestedFrNon => "Non testé :",
        M::NotTestedInterruptedCtrl => "non testé : interrompu (Ctrl-C)",
        M::NotTestedNameThe => ": non testé — indiquez le serveur avec --server HOTE (le nom dans le lien de la réunion)",
        M::NotTestedNoNetwork => "non testé : pas de réseau (voir plus haut)",
        M::NotUTF16Text => "pas du texte UTF-16",
        M::NotUTF8Or => "ni du texte UTF-8 ni UTF-16",
        M::NothingToCheckEvery => "rien à tester : chaque plateforme choisie a besoin de --server HOTE",
        M::NothingToDoThe => "Rien à faire : le webinaire peut se tenir depuis ce réseau.",
        M::Optional => "facultatif",
        M::OptionalFrOptionnel => "(optionnel)",
        M::Other => "autre",
        M::OverallVerdict => "Verdict global :",
        M::OversizedAnswerAbandoned => "réponse démesurée, abandonnée",
        M::Page => "page « ",
        M::Path => "chemin",
        M::PermissionDenied => "permission refusée",
        M::Platform => "Plateforme",
        M::PresenterMinimum => "intervenant, minimum",
        M::PressEnterToClose => "Appuyez sur Entrée pour fermer. ",
        M::Profile => "profil",
        M::PublicAddress => "adresse publique",
        M::PublicAddressFrAdresse => "Adresse publique :",
        M::QualityLossJitterRTT => "Qualité (perte/gigue/RTT)",
        M::ReadOnlyFileSystem => "disque en lecture seule",
        M::Ready => "prêt",
        M::Recommended => "recommandé",
        M::RedirectTo => "redirection vers",
        M::ReportNOTSentTo => "Rapport NON envoyé à",
        M::ReportSReceived => "rapport(s) reçu(s)",
        M::ReportSentTo => "Rapport envoyé à",
        M::ReportsSaved => "Rapports enregistrés :",
        M::Request => "Demande :",
        M::Required => "nécessaire",
        M::RoomAndSchoolE => "Salle et établissement (par ex. « CDI, collège Jean Moulin ») :",
        M::STUNTURNInA => "STUN/TURN (dans un groupe, l'UDP est préféré au TCP, le TCP au TLS : la chaîne de repli du navigateur) :",
        M::ScreenSharing => "partage d'écran",
        M::ServerUnreachableNoRoute => "serveur injoignable (pas de route)",
        M::SettingsReadFrom => "Réglages lus dans",
        M::Skipped => "non testé",
        M::SkippedFrIgnore => "Ignoré :",
        M::Source => "source :",
        M::Status => "État",
        M::Step => "Étape",
        M::StoppedBeforeTheEnd => "arrêté avant la fin (Ctrl-C) : chiffre mesuré jusque-là",
        M::StoppedTheUplinkCannot => " — arrêté : le lien montant ne tient pas ce débit",
        M::StoredAs => "enregistré sous",
        M::SubjectBlockedAccessTo => "Objet : accès bloqué à",
        M::SubjectNetworkNotGood => "Objet : réseau insuffisant pour",
        M::Summary => "Résumé",
        M::TURNMediaRelay => "TURN (relais média)",
        M::TURNMediaRelayAlso => " (relais média TURN : à exempter aussi du proxy et de l'inspection TLS)",
        M::TURNRelaysNamed => "Relais TURN nommés :",
        M::Target => "Cible",
        M::TestDate => "Date du test :",
        M::TestDayVenuesSummary => "Journée de test — synthèse des salles",
        M::TestSNotRun => "test(s) non lancé(s) : interrompu (Ctrl-C)",
        M::TestSNotRunA => "test(s) non lancé(s) : une étape avant eux a échoué (détail dans le rapport JSON)",
        M::TestSNotRunBecause => "test(s) non lancé(s) parce qu'une étape avant eux a échoué",
        M::ThankYou => "Merci.",
        M::TheConnectionClosedWithout => "la connexion s'est fermée sans réponse",
        M::TheConnectionWasCut => "connexion coupée en cours de route (un filtre coupe la connexion)",
        M::TheDNSGivesNo => "le DNS ne donne aucune adresse pour ce nom",
        M::TheDNSServerFails => "le serveur DNS est en échec",
        M::TheFullJSONReport => "Le rapport JSON complet est joint. Merci.",
        M::TheMeasurementPeerCould => "le pair de mesure est injoignable",
        M::TheMeasurementPeerStopped => "le serveur de mesure a cessé de lire l'envoi",
        M::TheNetworkSDNS => "le DNS du réseau détourne ce nom vers une fausse adresse (filtrage DNS)",
        M::ThePortAnswersBut => "le port répond, mais ce n'est pas un relais TURN (un serveur web, ou un boîtier qui refuse le protocole TURN)",
        M::TheProxyAsksFor => "le proxy demande une identification",
        M::TheProxyRefusesThis => "le proxy refuse cette destination",
        M::TheReportIsSaved => "Le rapport est enregistré ici, envoyez-le à l'organisateur :",
        M::TheServerAnswersWith => "le serveur répond par une erreur HTTP",
        M::TheServiceDoesNot => "; le service ne confirme pas ce point d'accès (non vérifié) : non compté contre le réseau.",
        M::TheServiceSNormal => "réponses normales du service, sans session de réunion :",
        M::TheTLSHandshakeFailed => "la négociation TLS a échoué",
        M::TheTestCouldNot => "le test n'a pas pu être lancé sur cet ordinateur",
        M::ThisFigureMeasuresThe => ": ce chiffre mesure le chemin jusqu'au proxy",
        M::ThisNameDoesNot => "ce nom n'existe pas pour le DNS de ce réseau",
        M::ThisNameDoesNotExist => " : ce nom n'existe pas alors que d'autres noms du même domaine répondent — la liste publiée par le service n'est plus à jour ; non compté contre le réseau.",
        M::ThisNetworkDoesNot => "Ce réseau ne mène pas à Internet : aucune adresse sur Internet ne répond, ni les plateformes ni, sans DNS, des adresses connues. L'ordinateur est sur un réseau local sans accès à Internet, ou tout y est bloqué. Vérifiez que vous êtes sur le bon réseau (le Wi-Fi ou la prise de la salle) ; sinon, signalez-le au référent numérique.",
        M::ThisPageUpdatesItself => "la page se met à jour toute seule",
        M::ThroughTheProxy => "À travers le proxy",
        M::TicketReadyToSend => "Ticket prêt à envoyer",
        M::TicketTextReadyTo => "Texte du ticket, prêt à envoyer :",
        M::TimeoutMustBeBetween => "--timeout doit être entre 1 et 120 secondes",
        M::Title => "titre",
        M::To => "vers",
        M::TowardsTheMediaRelays => "vers les relais média, seul le port 443 passe (3478 fermé)",
        M::TrustStore => "magasin de certificats : ",
        M::TurnNamesTheTURN => "--turn désigne le relais TURN d'un serveur BigBlueButton : ajoutez --server HOTE (l'hôte dans le lien de la réunion)",
        M::UDPAtMediaRate => "UDP au débit des médias",
        M::UDPBlocked => "UDP bloqué",
        M::UDPIsBlockedTowards => "UDP est bloqué vers les relais média",
        M::UDPPath => "chemin UDP",
        M::UDPPathQuality => "Qualité du chemin UDP,",
        M::UDPPathQualityFrQualite => "qualité du chemin UDP",
        M::UDPQuality => "qualité UDP",
        M::UnintelligibleAnswerNotThe => "réponse incompréhensible (ce n'est pas le bon protocole)",
        M::UnverifiedAFailureAlone => "non vérifié : un échec seul n'aggrave pas le verdict",
        M::UnverifiedNoSourceGiven => "non vérifié (aucune source donnée)",
        M::UpdatedAt => "mis à jour à",
        M::Upload => "débit montant",
        M::UploadAndPathQuality => "Débit montant et qualité du chemin",
        M::UploadFrDebit => "Débit montant :",
        M::UploadFrDebitMontant => "Débit montant",
        M::UploadNeedsKbitS => "Débit montant (kbit/s) :",
        M::UploadNotMeasured => "Débit montant non mesuré :",
        M::UploadNotMeasuredNothing => "Débit montant non mesuré : rien n'est joignable depuis ce réseau.",
        M::UploadRateDuringThe => "Débit montant au fil de la mesure",
        M::Venue => "Salle",
        M::VenueFrLieu => "Lieu :",
        M::VenueS => "salle(s)",
        M::Verdict => "Verdict :",
        M::Warning => "attention",
        M::WarningTheProgramRuns => "Attention : le programme est lancé depuis l'intérieur d'un fichier zip. Faites « Extraire tout » puis lancez-le depuis le dossier extrait, sinon ses réglages et ses rapports sont perdus.",
        M::WebSocket => "WebSocket :",
        M::WebSocketsAreRefusedBy => "les WebSockets sont refusés par un filtre",
        M::WhatDoesNotGet => "Ce qui ne passe pas :",
        M::WhileUploading => "pendant l'envoi",
        M::WhomToContact => "Qui contacter",
        M::Why => "pourquoi :",
        M::WhyThisDesk => "Pourquoi ce guichet :",
        M::WorksOnlyThroughA => "ne fonctionne que par repli :",
    }
}

// Sentences with values (written by hand; scripts/messages.py keeps what follows this line).

pub struct Fr;

impl super::Words for Fr {
    fn http_to(&self, status: u64, location: &str) -> String {
        format!("HTTP {status} vers {location}")
    }
    fn http_without(&self, status: u64, missing: &str) -> String {
        format!("HTTP {status}, sans « {missing} »")
    }
    fn unexpected_answer(&self, detail: &str) -> String {
        format!(
            "le service a répondu ({detail}), mais pas comme le prévoit le profil de preflight : le profil n'est peut-être plus à jour ; non compté contre le réseau"
        )
    }
    fn dns_silent(&self, resolver: &str) -> String {
        format!(
            "Le serveur DNS de ce réseau ({resolver}) ne répond pas : aucun nom ne peut être trouvé, donc aucune plateforme ne peut fonctionner. Vérifiez que l'ordinateur est bien connecté (Wi-Fi ou câble) ; si c'est le cas, signalez au référent numérique que le serveur DNS {resolver} ne répond pas."
        )
    }
    fn captive_portal(&self, portal: &str) -> String {
        format!(
            "Ce Wi-Fi demande de se connecter d'abord : ouvrez un navigateur à l'adresse {portal}, identifiez-vous (ou acceptez les conditions), puis relancez preflight."
        )
    }
    fn action_degraded(&self, desk: &str) -> String {
        format!(
            "Le webinaire devrait fonctionner, par un repli ou avec moins de qualité : lisez ce qui suit, et si possible envoyez le ticket ci-dessous à « {desk} »."
        )
    }
    fn action_blocked(&self, desk: &str) -> String {
        format!(
            "En l'état, le webinaire ne fonctionnera pas d'ici : envoyez le ticket ci-dessous à « {desk} », ou prévoyez un autre réseau (le partage de connexion d'un téléphone, par exemple)."
        )
    }
    fn no_relay(&self, host: &str) -> String {
        format!(
            "pas de relais TURN sur {host} : son propre serveur web refuse le protocole TURN sur 443 et rien ne répond sur 3478. Le relais média de ce serveur est ailleurs et n'a pas été testé : demandez-le à ses administrateurs (turn-stun-servers.xml) et relancez avec --turn RELAIS."
        )
    }
    fn filter_test_answered(&self, product: &str, seen: &str) -> String {
        format!("le proxy répond comme {product} à sa page de test ({seen})")
    }
    fn loss_crossed(&self, loss: &str, good: &str) -> String {
        format!("perte {loss} % (bon : < {good} %)")
    }
    fn jitter_crossed(&self, jitter: &str, good: &str) -> String {
        format!("gigue {jitter} ms (bon : < {good} ms)")
    }
    fn rtt_crossed(&self, rtt: &str, good: &str) -> String {
        format!("RTT {rtt} ms (bon : < {good} ms)")
    }
    fn way_full(&self, webcam: &str) -> String {
        format!("micro + webcam « {webcam} » + partage d'écran")
    }
    fn way_webcam(&self, quality: &str) -> String {
        format!("micro + webcam « {quality} », sans partage d'écran")
    }
    fn upload_reaches_recommended(&self, up: &str, hi: &str) -> String {
        format!(
            "le débit montant ({up}) atteint ce que la plateforme recommande pour un intervenant ({hi})"
        )
    }
    fn upload_above_minimum(&self, up: &str, lo: &str, hi: &str) -> String {
        format!(
            "le débit montant ({up}) dépasse le minimum de la plateforme pour un intervenant ({lo}), sans atteindre le recommandé ({hi}) : évitez de partager une vidéo"
        )
    }
    fn upload_below_minimum(&self, up: &str, lo: &str) -> String {
        format!(
            "le débit montant ({up}) est sous le minimum de la plateforme pour un intervenant ({lo}) : prévoyez de couper la caméra, ou intervenez depuis un autre réseau"
        )
    }
    fn upload_fits(&self, up: &str, full: &str, need: &str) -> String {
        format!("le débit montant ({up}) suffit pour {full} ({need})")
    }
    fn upload_tight(&self, full: &str, need: &str, up: &str, plan: &str) -> String {
        format!("juste : {full} demande {need} des {up} mesurés ; prévoyez {plan}")
    }
    fn upload_short(&self, full: &str, need: &str, up: &str, plan: &str) -> String {
        format!("insuffisant pour {full} (il faut {need}, mesuré {up}) : prévoyez {plan}")
    }
    fn upload_very_tight(&self, leanest_kbps: f64, up: &str) -> String {
        format!(
            "très juste : même le micro seul ({leanest_kbps:.0} kbit/s) prend presque tout le débit montant ({up})"
        )
    }
    fn upload_not_even_audio(&self, up: &str, leanest_kbps: f64) -> String {
        format!(
            "le débit montant ({up}) ne suffit même pas pour le micro ({leanest_kbps:.0} kbit/s)"
        )
    }
    fn quality_figures(&self, loss: &str, jitter: &str, rtt: &str) -> String {
        format!("perte {loss} %, gigue {jitter} ms, RTT {rtt} ms")
    }
    fn quality_figures_p95(&self, loss: &str, jitter: &str, rtt: &str, p95: &str) -> String {
        format!("perte {loss} %, gigue {jitter} ms, RTT {rtt} ms (95 % sous {p95} ms)")
    }
    fn media_udp_figures(&self, loss: &str, jitter: &str, received_kbps: f64) -> String {
        format!("perte {loss} %, gigue {jitter} ms, {received_kbps:.0} kbit/s reçus")
    }
    fn udp_policed(
        &self,
        loss: &str,
        target_kbps: f64,
        up: &str,
        got_kbps: f64,
        webcam: Option<&str>,
    ) -> String {
        let plan = match webcam {
            Some(q) => format!("prévoyez la webcam en qualité « {q} »"),
            None => "prévoyez de couper la caméra".into(),
        };
        format!(
            "{loss} % des paquets perdus à {target_kbps:.0} kbit/s alors que TCP passe à {up} Mbit/s : l'UDP est bridé ici (seuls {got_kbps:.0} kbit/s passent) ; la vidéo va geler ou se replier sur le relais TURN en TCP/TLS : {plan}"
        )
    }
    fn venue_contradiction(&self, expected: &str, family: &str) -> String {
        format!(
            "Attention : le lieu laisse attendre « {expected} », mais le réseau montre plutôt « {family} » ; signalez les deux."
        )
    }
    fn ticket_upload(&self, platform: &str, up: &str, need: &str) -> String {
        format!(
            "[{platform}] débit montant mesuré {up} Mbit/s, le flux de l'intervenant demande {need} Mbit/s"
        )
    }
    fn ask_upload(&self, need: &str) -> String {
        format!(
            "vérifier le débit montant disponible pour cette salle (limitation par poste ou par VLAN, Wi-Fi, lien saturé) : {need} Mbit/s nécessaires pendant le webinaire"
        )
    }
    fn ticket_udp_policed(
        &self,
        platform: &str,
        loss: &str,
        target_kbps: f64,
        got_kbps: f64,
        up: &str,
    ) -> String {
        format!(
            "[{platform}] UDP au débit des médias : {loss} % perdus à {target_kbps:.0} kbit/s, seuls {got_kbps:.0} kbit/s passent, alors que TCP passe à {up} Mbit/s"
        )
    }
    fn ask_udp_rate(&self, media_kbps: f64) -> String {
        format!(
            "relever la limitation de débit UDP de cette salle : le son et la webcam de l'intervenant demandent {media_kbps:.0} kbit/s en UDP"
        )
    }
    fn ticket_quality(
        &self,
        platform: &str,
        target: &str,
        loss: &str,
        jitter: &str,
        rtt: &str,
    ) -> String {
        format!(
            "[{platform}] qualité UDP vers {target} : perte {loss} %, gigue {jitter} ms, RTT {rtt} ms"
        )
    }
    fn ask_resolver_answers(&self, resolver: &str, host: &str) -> String {
        format!("vérifier que le serveur DNS {resolver} répond (il n'a pas répondu pour {host})")
    }
    fn ask_resolve(&self, host: &str) -> String {
        format!("résoudre normalement le nom {host} dans le DNS (il est détourné ou absent)")
    }
    fn ask_no_inspection(&self, host: &str) -> String {
        format!("exempter {host} de l'inspection TLS (déchiffrement)")
    }
    fn ask_websockets(&self, host: &str) -> String {
        format!("laisser passer les WebSockets (en-tête Upgrade) vers {host}")
    }
    fn ask_proxy_allows(&self, host: &str) -> String {
        format!("autoriser {host} sur le proxy (il refuse cette destination)")
    }
    fn ask_relay_direct(&self, host: &str, port: u16) -> String {
        format!(
            "exempter {host} du proxy et laisser passer TCP {port} en direct vers lui (relais média : les services le demandent)"
        )
    }
    fn ask_open_outbound(&self, proto: &str, port: u16) -> String {
        format!(
            "ouvrir {proto} {port} en sortie vers Internet (la plateforme le demande sans publier ses serveurs)"
        )
    }
}
